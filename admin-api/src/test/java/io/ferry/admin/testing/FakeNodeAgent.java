package io.ferry.admin.testing;

import io.ferry.admin.agent.NodeAgent;
import io.ferry.admin.agent.RepairRunner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

/**
 * A {@link NodeAgent} that records what it is asked ({@code "flush 10.0.0.1 shop [cart]"}), and
 * fails or waits where a test says so.
 */
public final class FakeNodeAgent implements NodeAgent {

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Exception> failures = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final Map<String, Integer> pendingCompactions = new ConcurrentHashMap<>();
  private volatile RepairRunner.Status repairStatus = RepairRunner.Status.SUCCEEDED;
  private volatile List<String> repairMessages = List.of();

  /** What was asked, in order. */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** Makes the calls that start with {@code call} (e.g. {@code "flush 10.0.0.1"}) fail. */
  public FakeNodeAgent failing(String call, Exception failure) {
    failures.put(call, failure);
    return this;
  }

  /** Makes the calls that start with {@code call} wait until the latch opens. */
  public FakeNodeAgent waitingFor(String call, CountDownLatch gate) {
    gates.put(call, gate);
    return this;
  }

  public FakeNodeAgent withPendingCompactions(String node, int pending) {
    pendingCompactions.put(node, pending);
    return this;
  }

  public FakeNodeAgent withRepairStatus(RepairRunner.Status status) {
    this.repairStatus = status;
    return this;
  }

  /** What repairs' coordinators say, besides {@code repair #7 <status>}. */
  public FakeNodeAgent withRepairMessages(String... messages) {
    this.repairMessages = List.of(messages);
    return this;
  }

  private void call(String call) throws Exception {
    calls.add(call);
    for (Map.Entry<String, CountDownLatch> gate : gates.entrySet()) {
      if (call.startsWith(gate.getKey())) {
        gate.getValue().await();
      }
    }
    for (Map.Entry<String, Exception> failure : failures.entrySet()) {
      if (call.startsWith(failure.getKey())) {
        throw failure.getValue();
      }
    }
  }

  @Override
  public void requireReachable(String node) {}

  @Override
  public void gc(String node) throws Exception {
    call("gc " + node);
  }

  @Override
  public int pendingCompactions(String node) throws Exception {
    call("pendingCompactions " + node);
    return pendingCompactions.getOrDefault(node, 0);
  }

  @Override
  public String datacenter(String node) throws Exception {
    call("datacenter " + node);
    return "dc1";
  }

  @Override
  public boolean drain(String node) throws Exception {
    call("drain " + node);
    return true;
  }

  @Override
  public List<String> keyspaces(String node, boolean replicatedOnly) throws Exception {
    call("keyspaces " + node + (replicatedOnly ? " replicated" : ""));
    return replicatedOnly ? List.of("shop") : List.of("shop", "system");
  }

  @Override
  public void flush(String node, String keyspace, List<String> tables) throws Exception {
    call("flush " + node + " " + keyspace + " " + tables);
  }

  @Override
  public void compact(String node, String keyspace, List<String> tables) throws Exception {
    call("compact " + node + " " + keyspace + " " + tables);
  }

  @Override
  public int cleanup(String node, String keyspace, List<String> tables) throws Exception {
    call("cleanup " + node + " " + keyspace + " " + tables);
    return 0;
  }

  @Override
  public void decommission(String node) throws Exception {
    call("decommission " + node);
  }

  @Override
  public String operationMode(String node) throws Exception {
    call("operationMode " + node);
    return "NORMAL";
  }

  @Override
  public List<String> tokens(String node) throws Exception {
    call("tokens " + node);
    return List.of("0");
  }

  @Override
  public void move(String node, String token) throws Exception {
    call("move " + node + " " + token);
  }

  @Override
  public String partitioner(String node) throws Exception {
    call("partitioner " + node);
    return "org.apache.cassandra.dht.Murmur3Partitioner";
  }

  @Override
  public Map<String, String> tokenToEndpoint(String node) throws Exception {
    call("tokenToEndpoint " + node);
    return Map.of("0", node);
  }

  @Override
  public RepairRunner.Outcome repair(
      String node,
      String keyspace,
      Map<String, String> options,
      Duration timeout,
      IntConsumer started)
      throws Exception {
    call("repair " + node + " " + keyspace + " " + new java.util.TreeMap<>(options));
    started.accept(7);
    List<String> messages = new java.util.ArrayList<>(repairMessages);
    messages.add(0, "repair #7 " + repairStatus);
    return new RepairRunner.Outcome(repairStatus, 7, messages);
  }

  @Override
  public RepairRunner.Outcome awaitRepair(String node, int command, Duration timeout)
      throws Exception {
    call("awaitRepair " + node + " " + command);
    return new RepairRunner.Outcome(repairStatus, command, List.of());
  }
}
