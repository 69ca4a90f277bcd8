package io.ferry.testing.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import io.ferry.cassandra.CassandraDistribution;
import io.ferry.cassandra.CassandraNode;
import io.ferry.cassandra.NodeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two single-node clusters that a migration goes between, origin on 127.0.0.2 and target on
 * 127.0.0.3 (system properties {@code ferry.it.origin-address} and {@code ferry.it.target-address}
 * move them, so that two builds can run their integration tests side by side), shared by every test
 * class of a test run; plus the dedicated nodes that tests start for themselves. Obtain it as a
 * parameter of a test class annotated {@link WithCassandraClusters}; the shared nodes start when
 * the first class that needs them asks.
 *
 * <p>Shared nodes are for tests that leave them as they found them; a test that stops, pauses or
 * otherwise harms a node starts its own with {@link #startNode(NodeSpec)}.
 */
public final class CassandraClusters implements AutoCloseable {

  public static final String ORIGIN_ADDRESS =
      System.getProperty("ferry.it.origin-address", "127.0.0.2");
  public static final String ORIGIN_CLUSTER_NAME = "origin";
  public static final String TARGET_ADDRESS =
      System.getProperty("ferry.it.target-address", "127.0.0.3");
  public static final String TARGET_CLUSTER_NAME = "target";

  private static final Logger LOG = LoggerFactory.getLogger(CassandraClusters.class);

  // Generous: other builds may share the two cores.
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  // Measured on 2 cores: origin and target ready together in 7-9 s instead of 15 s (C1 compiles
  // the start-up code sooner), and about 420 MiB of RSS per node instead of 610 MiB. Tests do not
  // need the peak throughput that C2 and G1 would bring later.
  private static final List<String> SMALL_FOOTPRINT_JVM_OPTIONS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m");

  private final CassandraDistribution distribution;
  private final Path runDirectory;
  private final List<CassandraNode> dedicatedNodes = new CopyOnWriteArrayList<>();
  private volatile CassandraNode origin;
  private volatile CassandraNode target;

  private CassandraClusters(CassandraDistribution distribution, Path runDirectory) {
    this.distribution = distribution;
    this.runDirectory = runDirectory;
  }

  /** Resolves Cassandra; nodes start later, with fresh directories under {@code runDirectory}. */
  static CassandraClusters create(Path runDirectory) {
    return new CassandraClusters(CassandraDistribution.resolve(LOG::info), runDirectory);
  }

  /**
   * Starts origin and target at the same time, unless they are already running, and waits until
   * both accept CQL connections.
   */
  synchronized void startSharedNodes() {
    if (origin != null) {
      return;
    }
    long startNanos = System.nanoTime();
    List<CassandraNode> started = new ArrayList<>();
    try {
      CassandraNode startedOrigin =
          CassandraNode.start(
              distribution, nodeSpec(runDirectory, ORIGIN_ADDRESS, ORIGIN_CLUSTER_NAME).build());
      started.add(startedOrigin);
      CassandraNode startedTarget =
          CassandraNode.start(
              distribution, nodeSpec(runDirectory, TARGET_ADDRESS, TARGET_CLUSTER_NAME).build());
      started.add(startedTarget);
      // Both JVMs are already starting: waiting for one after the other costs no extra time.
      startedOrigin.awaitReady(READY_TIMEOUT);
      startedTarget.awaitReady(READY_TIMEOUT);
      LOG.info(
          "Origin {} and target {} ready after {} ms (logs under {})",
          ORIGIN_ADDRESS,
          TARGET_ADDRESS,
          Duration.ofNanos(System.nanoTime() - startNanos).toMillis(),
          runDirectory);
      target = startedTarget;
      origin = startedOrigin;
    } catch (RuntimeException e) {
      started.forEach(CassandraNode::kill);
      throw e;
    }
  }

  /**
   * A directory for this test run's nodes: {@code target/cassandra-it-<timestamp>} when run by
   * Maven in a module (so that {@code mvn clean} removes it and logs stay for a failed run to be
   * read), else under {@code java.io.tmpdir}.
   */
  static Path newRunDirectory() {
    String name =
        "cassandra-it-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path buildDirectory = Path.of("target");
    try {
      return Files.isDirectory(buildDirectory)
          ? Files.createDirectories(buildDirectory.resolve(name).toAbsolutePath())
          : Files.createTempDirectory("ferry-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create a directory for the Cassandra nodes", e);
    }
  }

  /**
   * Origin: the cluster clients migrate away from, on {@value #ORIGIN_ADDRESS}; started now if it
   * is not running yet.
   */
  public CassandraNode origin() {
    startSharedNodes();
    return origin;
  }

  /**
   * Target: the cluster clients migrate to, on {@value #TARGET_ADDRESS}; started now if it is not
   * running yet.
   */
  public CassandraNode target() {
    startSharedNodes();
    return target;
  }

  public CassandraDistribution distribution() {
    return distribution;
  }

  /**
   * A Java driver session straight to the node at {@code address} (native port 9042, the test
   * nodes' datacenter), bypassing Ferry: to set up schema or audit what a cluster stored.
   */
  public static CqlSession directSession(String address) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(address, NodeSpec.DEFAULT_NATIVE_PORT))
        .withLocalDatacenter("datacenter1")
        .build();
  }

  /**
   * A spec for a dedicated node with the shared nodes' settings: a fresh directory of this run and
   * a small JVM. Keep away from {@value #ORIGIN_ADDRESS} and {@value #TARGET_ADDRESS}.
   */
  public NodeSpec.Builder nodeSpec(String address, String clusterName) {
    return nodeSpec(runDirectory, address, clusterName);
  }

  /**
   * A directory of this test run for a test's own files (scripts, configuration), created if
   * missing; it lives next to the nodes' directories, so it goes with them.
   */
  public Path directory(String name) {
    try {
      return Files.createDirectories(runDirectory.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create " + runDirectory.resolve(name), e);
    }
  }

  /**
   * Starts a node for the calling test alone and waits until it is ready. It is killed at the end
   * of the test run, or earlier by the test.
   */
  public CassandraNode startNode(NodeSpec spec) {
    CassandraNode node = CassandraNode.start(distribution, spec);
    dedicatedNodes.add(node);
    node.awaitReady(READY_TIMEOUT);
    return node;
  }

  /**
   * Kills every node: a test run throws its data away, so the graceful stop's flush would only cost
   * seconds per node.
   */
  @Override
  public void close() {
    dedicatedNodes.forEach(CassandraNode::kill);
    if (origin != null) {
      origin.kill();
      target.kill();
    }
    LOG.info("Killed the Cassandra nodes of this test run; their logs are under {}", runDirectory);
  }

  private static NodeSpec.Builder nodeSpec(Path runDirectory, String address, String clusterName) {
    return NodeSpec.builder(address, clusterName, runDirectory.resolve(clusterName + "-" + address))
        .addJvmOptions(SMALL_FOOTPRINT_JVM_OPTIONS.toArray(String[]::new))
        .fresh(true);
  }
}
