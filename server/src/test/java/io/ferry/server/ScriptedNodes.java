package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cassandra.CassandraNode;
import io.ferry.cassandra.NodeSpec;
import io.ferry.testing.cassandra.CassandraClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Dedicated Cassandra nodes that the admin API starts and stops through their own service scripts,
 * as a service manager's commands would: {@code <directory>/<ip>/bin/start} and {@code .../stop},
 * the templates {@link #startCommand()} and {@link #stopCommand()}. The directory belongs to the
 * test run (next to the nodes' own), so it holds the test's Ferry configuration too.
 */
final class ScriptedNodes implements AutoCloseable {

  private final CassandraClusters clusters;
  private final Path directory;
  private final List<CassandraNode> nodes = new ArrayList<>();

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
   * Stops every node through its script (a node restarted by the scripts is no longer the {@link
   * CassandraNode}'s own process), then kills what is left.
   */
  @Override
  public void close() throws Exception {
    for (CassandraNode node : nodes) {
      new ProcessBuilder(node.directory().resolve("bin/stop").toString())
          .inheritIO()
          .start()
          .waitFor(60, TimeUnit.SECONDS);
      node.kill();
    }
  }
}
