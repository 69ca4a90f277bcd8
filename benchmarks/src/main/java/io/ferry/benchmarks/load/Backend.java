package io.ferry.benchmarks.load;

import com.datastax.oss.driver.api.core.CqlSession;
import io.ferry.cassandra.CassandraDistribution;
import io.ferry.cassandra.CassandraNode;
import io.ferry.cassandra.NodeSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The origin and target clusters of a run: real Cassandra nodes, or in-process responders. */
interface Backend extends AutoCloseable {

  /** "cassandra" or "responder". */
  String name();

  InetSocketAddress origin();

  InetSocketAddress target();

  /** Prepares tables and the rows reads find. */
  void prepare(int keys, PrintStream out);

  @Override
  void close();

  /** Two {@link CqlResponder}s: measures the hop, not Cassandra. */
  static Backend responders(String originAddress, String targetAddress) {
    CqlResponder origin = new CqlResponder(new InetSocketAddress(originAddress, 9042), 1);
    CqlResponder target = new CqlResponder(new InetSocketAddress(targetAddress, 9042), 1);
    return new Backend() {
      @Override
      public String name() {
        return "responder";
      }

      @Override
      public InetSocketAddress origin() {
        return origin.address();
      }

      @Override
      public InetSocketAddress target() {
        return target.address();
      }

      @Override
      public void prepare(int keys, PrintStream out) {
        // nothing stored: every read finds its row
      }

      @Override
      public void close() {
        origin.close();
        target.close();
      }
    };
  }

  /** Two single-node Apache Cassandra clusters started for the run, with a production-like JVM. */
  static Backend cassandra(String originAddress, String targetAddress, PrintStream out) {
    CassandraDistribution distribution =
        CassandraDistribution.resolve(line -> out.println("  " + line));
    Path directory;
    try {
      directory = Files.createTempDirectory("ferry-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println(
        "starting Apache Cassandra "
            + distribution.version()
            + " on "
            + originAddress
            + " (origin) and "
            + targetAddress
            + " (target), data in "
            + directory);
    CassandraNode origin =
        CassandraNode.start(distribution, spec(originAddress, "origin", directory));
    CassandraNode target =
        CassandraNode.start(distribution, spec(targetAddress, "target", directory));
    CompletableFuture.allOf(
            CompletableFuture.runAsync(() -> origin.awaitReady(Duration.ofMinutes(4))),
            CompletableFuture.runAsync(() -> target.awaitReady(Duration.ofMinutes(4))))
        .join();
    return new Backend() {
      @Override
      public String name() {
        return "cassandra";
      }

      @Override
      public InetSocketAddress origin() {
        return new InetSocketAddress(origin.address(), origin.nativePort());
      }

      @Override
      public InetSocketAddress target() {
        return new InetSocketAddress(target.address(), target.nativePort());
      }

      @Override
      public void prepare(int keys, PrintStream out) {
        for (InetSocketAddress node : List.of(origin(), target())) {
          try (CqlSession session = BenchClient.connect(node)) {
            session.execute(Schema.CREATE_KEYSPACE);
            for (String table : Schema.createTables()) {
              session.execute(table);
            }
          }
        }
        out.println("writing " + keys + " rows per table on origin and target");
        try (BenchClient client = new BenchClient(origin(), List.of(origin(), target()), keys)) {
          for (RowSize size : RowSize.values()) {
            client.load(size);
          }
        }
      }

      @Override
      public void close() {
        CompletableFuture.allOf(
                CompletableFuture.runAsync(() -> origin.stop(Duration.ofSeconds(20))),
                CompletableFuture.runAsync(() -> target.stop(Duration.ofSeconds(20))))
            .join();
        // The run's data is thrown away.
        origin.deleteDirectory();
        target.deleteDirectory();
        try {
          Files.deleteIfExists(directory);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private static NodeSpec spec(String address, String cluster, Path directory) {
    return NodeSpec.builder(address, cluster, directory.resolve(cluster))
        .heap("1g", "1g")
        .jmxEnabled(false)
        .fresh(true)
        .build();
  }
}
