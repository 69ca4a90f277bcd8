package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cassandra.CassandraNode;
import io.ferry.cassandra.NodeSpec;
import io.ferry.testing.cassandra.CassandraClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Dedicated Cassandra nodes (an origin cluster) that the admin API starts and stops through their
 * own service scripts, as a service manager's commands would: {@code <directory>/<ip>/bin/start}
 * and {@code .../stop}, the templates {@link #startCommand()} and {@link #stopCommand()}; and the
 * Ferry instances in front of them, configured by the test's {@code ferry.conf} in {@link
 * #directory()}. The directory belongs to the test run (next to the nodes' own).
 */
final class ScriptedNodes implements AutoCloseable {

  /** A Ferry instance a test started, and its admin API's base URL. */
  record Ferry(FerryServer server, String admin) {}

  private final CassandraClusters clusters;
  private final Path directory;
  private final List<CassandraNode> nodes = new ArrayList<>();
  private final List<FerryServer> ferries = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  /**
   * @param name the test's directory in the test run, e.g. {@code admin-ops}
   */
  ScriptedNodes(CassandraClusters clusters, String name) {
    this.clusters = clusters;
    this.directory = clusters.directory(name);
  }

  /** Starts a node, waits until it is ready and writes its scripts. */
  CassandraNode start(NodeSpec spec) throws IOException {
    CassandraNode node = clusters.startNode(spec);
    nodes.add(node);
    node.writeServiceScripts();
    Files.createSymbolicLink(directory.resolve(node.address()), node.directory());
    return node;
  }

  /**
   * Writes the test's {@code ferry.conf}: leases of 6 s (a quick take-over), these nodes' scripts
   * as the node commands, 3 minutes for a node to answer after its start, then {@code lines}.
   */
  void writeFerryConfig(String... lines) throws IOException {
    Files.writeString(
        directory.resolve("ferry.conf"),
        "ferry.admin.lease-ttl = 6 seconds\n"
            + "ferry.admin.node-ready-timeout = 3 minutes\n"
            + "ferry.admin.node-start-command = \""
            + startCommand()
            + "\"\n"
            + "ferry.admin.node-stop-command = \""
            + stopCommand()
            + "\"\n"
            + String.join("\n", lines)
            + "\n");
  }

  /**
   * The environment of the instance at {@code index} of {@code addresses}, so that the instances
   * present themselves to drivers as one cluster.
   */
  static Map<String, String> topology(int index, String... addresses) {
    return Map.of(
        "ZDM_PROXY_TOPOLOGY_ADDRESSES",
        String.join(",", addresses),
        "ZDM_PROXY_TOPOLOGY_INDEX",
        Integer.toString(index));
  }

  /** Where the test keeps its own files. */
  Path directory() {
    return directory;
  }

  /** The admin API's node start command, {@code {ip}} standing for the node. */
  String startCommand() {
    return directory + "/{ip}/bin/start";
  }

  /** The admin API's node stop command, {@code {ip}} standing for the node. */
  String stopCommand() {
    return directory + "/{ip}/bin/stop";
  }

  /**
   * Starts a Ferry instance with these nodes as origin and the shared target node, reading the
   * test's {@code ferry.conf}; metrics and admin API on 127.0.0.1, on ports of their own.
   *
   * @param environment further environment variables (topology, node commands)
   */
  Ferry startFerry(String listenAddress, int cqlPort, Map<String, String> environment)
      throws Exception {
    int adminPort = LocalPorts.freePort();
    FerryServer server =
        FerryServer.create(
            FerryServer.loadConfig(
                directory.resolve("ferry.conf"),
                environment(listenAddress, cqlPort, adminPort, environment)));
    ferries.add(server);
    server.start().get(90, TimeUnit.SECONDS);
    return new Ferry(server, "http://127.0.0.1:" + adminPort);
  }

  /** A Ferry instance running as a process of its own (ferry.jar), and its admin API's base URL. */
  record FerryProcess(Process process, String admin) {

    /** Sends the process a signal, e.g. {@code STOP} or {@code CONT}. */
    void signal(String name) throws Exception {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(kill.exitValue()).as("kill -%s", name).isZero();
    }
  }

  /**
   * Launches a Ferry instance as its own process (so that a test can pause it), configured as
   * {@link #startFerry} configures one, logging to {@code <directory>/<log>}; returns once its
   * admin API answers.
   */
  FerryProcess launchFerry(String listenAddress, int cqlPort, String log) throws Exception {
    int adminPort = LocalPorts.freePort();
    Process process =
        FerryJar.launch(
            directory.resolve(log),
            environment(listenAddress, cqlPort, adminPort, Map.of()),
            List.of("-Xmx256m"),
            "run",
            "--config",
            directory.resolve("ferry.conf").toString());
    processes.add(process);
    String admin = "http://127.0.0.1:" + adminPort;
    AdminClient client = new AdminClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      try {
        if (client.call(admin, "GET", "/proxy/routing", null).status() == 200) {
          return new FerryProcess(process, admin);
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      assertThat(process.isAlive()).as("ferry.jar is running (see %s)", log).isTrue();
      assertThat(System.nanoTime() - deadline).as("ferry.jar answers within 90 s").isNegative();
      Thread.sleep(500);
    }
  }

  private Map<String, String> environment(
      String listenAddress, int cqlPort, int adminPort, Map<String, String> environment) {
    Map<String, String> all = new HashMap<>(environment);
    all.put(
        "ZDM_ORIGIN_CONTACT_POINTS",
        nodes.stream().map(CassandraNode::address).collect(Collectors.joining(",")));
    all.put("ZDM_TARGET_CONTACT_POINTS", CassandraClusters.TARGET_ADDRESS);
    all.put("ZDM_PROXY_LISTEN_ADDRESS", listenAddress);
    all.put("ZDM_PROXY_LISTEN_PORT", Integer.toString(cqlPort));
    all.put("ZDM_METRICS_ADDRESS", "127.0.0.1");
    all.put("ZDM_METRICS_PORT", Integer.toString(LocalPorts.freePort()));
    all.put("FERRY_ADMIN_ADDRESS", "127.0.0.1");
    all.put("FERRY_ADMIN_PORT", Integer.toString(adminPort));
    return all;
  }

  /** Stops a Ferry instance (it drains, as on SIGTERM), as when an instance of a fleet goes. */
  void stop(Ferry ferry) {
    ferries.remove(ferry.server());
    ferry.server().close();
  }

  /** Runs a node's {@code start} or {@code stop} script, as the admin API would, and checks it. */
  void run(String address, String script) throws Exception {
    Process process =
        new ProcessBuilder(directory.resolve(address).resolve("bin").resolve(script).toString())
            .inheritIO()
            .start();
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("%s %s", script, address).isTrue();
    assertThat(process.exitValue()).as("%s %s", script, address).isZero();
  }

  /**
   * Stops the Ferry instances, then every node through its script (a node restarted by the scripts
   * is no longer the {@link CassandraNode}'s own process), then kills what is left.
   */
  @Override
  public void close() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    for (FerryServer ferry : ferries) {
      ferry.close();
    }
    for (CassandraNode node : nodes) {
      new ProcessBuilder(node.directory().resolve("bin/stop").toString())
          .inheritIO()
          .start()
          .waitFor(60, TimeUnit.SECONDS);
      node.kill();
    }
  }
}
