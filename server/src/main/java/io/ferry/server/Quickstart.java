package io.ferry.server;

import io.ferry.cassandra.CassandraDistribution;
import io.ferry.cassandra.CassandraNode;
import io.ferry.cassandra.NodeSpec;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.config.InvalidConfigurationException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code bin/ferry quickstart}: two real Apache Cassandra nodes, origin on 127.0.0.2 and target on
 * 127.0.0.3, each its own single-node cluster with fresh data, and Ferry in front of them with its
 * default settings. Ctrl-C stops Ferry, then both nodes, and removes their data.
 */
final class Quickstart {

  static final String ORIGIN_ADDRESS = "127.0.0.2";
  static final String TARGET_ADDRESS = "127.0.0.3";
  private static final Duration NODE_START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration NODE_STOP_GRACE = Duration.ofSeconds(20);

  private Quickstart() {}

  static int run(PrintStream out, PrintStream err) {
    for (String address : List.of(ORIGIN_ADDRESS, TARGET_ADDRESS)) {
      if (accepts(address, 9042)) {
        err.println(
            "Something already listens on "
                + address
                + ":9042 (a quickstart still running?). Stop it and try again.");
        return FerryMain.EXIT_FAILURE;
      }
    }
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.put("ZDM_ORIGIN_CONTACT_POINTS", ORIGIN_ADDRESS);
    environment.put("ZDM_TARGET_CONTACT_POINTS", TARGET_ADDRESS);
    FerryServer server;
    try {
      server = FerryServer.create(FerryServer.loadConfig(null, environment));
    } catch (InvalidConfigurationException e) {
      err.println(e.getMessage());
      return FerryMain.EXIT_USAGE;
    } catch (Exception e) {
      err.println("Ferry cannot start: " + e.getMessage());
      return FerryMain.EXIT_FAILURE;
    }

    out.println(
        "Ferry quickstart: resolving Apache Cassandra from Maven Central (about 66 MB the first time)...");
    CassandraDistribution distribution =
        CassandraDistribution.resolve(line -> out.println("  " + line));
    Path directory;
    try {
      directory = Files.createTempDirectory("ferry-quickstart-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println(
        "Starting Apache Cassandra "
            + distribution.version()
            + ": origin on "
            + ORIGIN_ADDRESS
            + ", target on "
            + TARGET_ADDRESS
            + " (data in "
            + directory
            + ")...");
    CassandraNode origin =
        CassandraNode.start(distribution, spec(ORIGIN_ADDRESS, "origin", directory));
    CassandraNode target =
        CassandraNode.start(distribution, spec(TARGET_ADDRESS, "target", directory));
    Runnable stopNodes =
        () -> {
          out.println("Stopping the Cassandra nodes...");
          CompletableFuture<Void> stopOrigin =
              CompletableFuture.runAsync(() -> origin.stop(NODE_STOP_GRACE));
          CompletableFuture<Void> stopTarget =
              CompletableFuture.runAsync(() -> target.stop(NODE_STOP_GRACE));
          CompletableFuture.allOf(stopOrigin, stopTarget).join();
          deleteData(err, directory, origin, target);
          out.println("Quickstart stopped.");
        };
    out.println("  waiting for both nodes to accept CQL connections (about 10 to 20 s)...");
    try {
      CompletableFuture<Duration> originReady =
          CompletableFuture.supplyAsync(() -> origin.awaitReady(NODE_START_TIMEOUT));
      CompletableFuture<Duration> targetReady =
          CompletableFuture.supplyAsync(() -> target.awaitReady(NODE_START_TIMEOUT));
      out.printf("  origin ready after %.1f s%n", originReady.join().toMillis() / 1000.0);
      out.printf("  target ready after %.1f s%n", targetReady.join().toMillis() / 1000.0);
    } catch (RuntimeException e) {
      err.println(
          "A Cassandra node did not start: "
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
      stopNodes.run();
      return FerryMain.EXIT_FAILURE;
    }

    Runnable announce =
        () -> {
          InetSocketAddress cql = server.proxy().listenAddress();
          out.println();
          out.println("Ferry is ready.");
          out.println(
              "  CQL:     "
                  + cql.getAddress().getHostAddress()
                  + ":"
                  + cql.getPort()
                  + "  (cqlsh "
                  + cql.getAddress().getHostAddress()
                  + " "
                  + cql.getPort()
                  + ", or any driver with that contact point and local datacenter datacenter1)");
          out.println(
              "  Health:  http://"
                  + Endpoints.format(server.metricsServer().address())
                  + "/health/readiness");
          out.println("  Admin:   http://" + Endpoints.format(server.adminServer().address()));
          out.println(
              "  Writes go to origin ("
                  + ORIGIN_ADDRESS
                  + ":9042) and target ("
                  + TARGET_ADDRESS
                  + ":9042); reads come from origin.");
          out.println("Press Ctrl-C to stop Ferry and both Cassandra nodes.");
        };
    return FerryMain.serveUntilStopped(server, announce, stopNodes);
  }

  private static NodeSpec spec(String address, String clusterName, Path directory) {
    return NodeSpec.builder(address, clusterName, directory.resolve(clusterName))
        .fresh(true)
        .build();
  }

  private static boolean accepts(String address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The quickstart's data is thrown away; a failure to delete it is told, not fatal. */
  private static void deleteData(PrintStream err, Path directory, CassandraNode... nodes) {
    try {
      for (CassandraNode node : nodes) {
        node.deleteDirectory();
      }
      Files.deleteIfExists(directory);
    } catch (IOException | RuntimeException e) {
      err.println("Could not delete the quickstart's data in " + directory + ": " + e.getMessage());
    }
  }
}
