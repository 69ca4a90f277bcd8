package io.ferry.admin.agent;

import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The {@link NodeAgent} of a cluster over remote JMX: every call goes through a typed MBean
 * interface ({@link StorageServiceOperations}, {@link MemoryMXBean}, {@link CassandraGauge}, {@link
 * EndpointSnitchInfoOperations}) on the node's pooled connection.
 *
 * <p>Thread policy: blocking (RMI); worker pool. Thread-safe.
 */
public final class JmxNodeAgent implements NodeAgent {

  private final NodeJmx jmx;

  public JmxNodeAgent(NodeJmx jmx) {
    this.jmx = jmx;
  }

  @Override
  public void close() {
    jmx.close();
  }

  @Override
  public void requireReachable(String node) {
    jmx.connection(node);
  }

  @Override
  public void gc(String node) throws Exception {
    jmx.call(
        node,
        NodeJmx.MEMORY,
        MemoryMXBean.class,
        memory -> {
          memory.gc();
          return null;
        });
  }

  @Override
  public int pendingCompactions(String node) throws Exception {
    return jmx.call(
        node,
        NodeJmx.PENDING_COMPACTIONS,
        CassandraGauge.class,
        gauge -> ((Number) gauge.getValue()).intValue());
  }

  @Override
  public String datacenter(String node) throws Exception {
    return jmx.call(
        node,
        NodeJmx.ENDPOINT_SNITCH_INFO,
        EndpointSnitchInfoOperations.class,
        EndpointSnitchInfoOperations::getDatacenter);
  }

  @Override
  public boolean drain(String node) throws Exception {
    return jmx.storage(
        node,
        storage -> {
          if (!storage.isDrained()) {
            storage.drain();
          }
          return storage.isDrained();
        });
  }

  @Override
  public List<String> keyspaces(String node, boolean replicatedOnly) throws Exception {
    return jmx.storage(
        node,
        replicatedOnly
            ? StorageServiceOperations::getNonLocalStrategyKeyspaces
            : StorageServiceOperations::getKeyspaces);
  }

  @Override
  public void flush(String node, String keyspace, List<String> tables) throws Exception {
    jmx.storage(
        node,
        storage -> {
          storage.forceKeyspaceFlush(keyspace, tables.toArray(String[]::new));
          return null;
        });
  }

  @Override
  public void compact(String node, String keyspace, List<String> tables) throws Exception {
    jmx.storage(
        node,
        storage -> {
          storage.forceKeyspaceCompaction(false, keyspace, tables.toArray(String[]::new));
          return null;
        });
  }

  @Override
  public int cleanup(String node, String keyspace, List<String> tables) throws Exception {
    return jmx.storage(
        node, storage -> storage.forceKeyspaceCleanup(0, keyspace, tables.toArray(String[]::new)));
  }

  @Override
  public void decommission(String node) throws Exception {
    jmx.storage(
        node,
        storage -> {
          storage.decommission(false);
          return null;
        });
  }

  @Override
  public String operationMode(String node) throws Exception {
    return jmx.storage(node, StorageServiceOperations::getOperationMode);
  }

  @Override
  public List<String> tokens(String node) throws Exception {
    return jmx.storage(node, StorageServiceOperations::getTokens);
  }

  @Override
  public void move(String node, String token) throws Exception {
    jmx.storage(
        node,
        storage -> {
          storage.move(token);
          return null;
        });
  }

  @Override
  public String partitioner(String node) throws Exception {
    return jmx.storage(node, StorageServiceOperations::getPartitionerName);
  }

  @Override
  public Map<String, String> tokenToEndpoint(String node) throws Exception {
    return jmx.storage(node, StorageServiceOperations::getTokenToEndpointMap);
  }

  @Override
  public RepairRunner.Outcome repair(
      String node,
      String keyspace,
      Map<String, String> options,
      Duration timeout,
      IntConsumer started)
      throws Exception {
    return RepairRunner.run(jmx, node, keyspace, options, timeout, started);
  }

  @Override
  public RepairRunner.Outcome awaitRepair(String node, int command, Duration timeout)
      throws Exception {
    return RepairRunner.await(jmx, node, command, timeout);
  }
}
