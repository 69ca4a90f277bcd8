package io.ferry.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class CassandraNodeIT {

  private static final Logger LOG = LoggerFactory.getLogger(CassandraNodeIT.class);
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  private static CassandraDistribution distribution;

  @TempDir Path temporary;

  @BeforeAll
  static void resolveDistribution() {
    long start = System.nanoTime();
    distribution = CassandraDistribution.resolve(LOG::info);
    LOG.info(
        "Resolved Cassandra {} ({} jars) in {} ms",
        distribution.version(),
        distribution.classpath().size(),
        Duration.ofNanos(System.nanoTime() - start).toMillis());
  }

  @Test
  void should_start_a_node_that_answers_cql_and_jmx_then_stop_it() throws Exception {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.9", "nodes-it", temporary.resolve("node")).fresh(true).build();

    try (CassandraNode node = CassandraNode.start(distribution, spec)) {
      // when
      Duration startup = node.awaitReady(READY_TIMEOUT);
      LOG.info("Measured start of a lone node: {} ms", startup.toMillis());

      // then
      assertThat(node.isRunning()).isTrue();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.9", 9042), 1_000);
        assertThat(socket.isConnected()).isTrue();
      }
      assertThat(node.jmxServiceUrl())
          .isEqualTo("service:jmx:rmi:///jndi/rmi://127.0.0.9:7199/jmxrmi");
      assertThat(storageServiceAttribute(node, "ReleaseVersion")).asString().startsWith("5.0");
      assertThat(storageServiceAttribute(node, "ClusterName")).isEqualTo("nodes-it");
      assertThat(node.logFile()).exists().isNotEmptyFile();
      assertThatThrownBy(node::deleteDirectory)
          .isInstanceOf(CassandraNodeException.class)
          .hasMessageContaining("still running");

      // when
      long pid = node.pid();
      node.stop(Duration.ofSeconds(30));

      // then
      assertThat(node.isRunning()).isFalse();
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();

      // when its data is thrown away
      node.deleteDirectory();

      // then
      assertThat(temporary.resolve("node")).doesNotExist();
    }
  }

  @Test
  void should_keep_the_data_of_a_restarted_node() throws Exception {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.10", "nodes-it", temporary.resolve("node")).fresh(true).build();
    try (CassandraNode node = CassandraNode.start(distribution, spec)) {
      node.awaitReady(READY_TIMEOUT);
      // The host id is written to the system keyspace at the first start and read back after.
      Object hostId = storageServiceAttribute(node, "LocalHostId");

      // when
      node.restart();
      Duration startup = node.awaitReady(READY_TIMEOUT);
      LOG.info("Measured restart of a node with data: {} ms", startup.toMillis());

      // then
      assertThat(storageServiceAttribute(node, "LocalHostId")).isEqualTo(hostId);
    }
  }

  @Test
  void should_fail_fast_with_the_node_log_when_the_node_dies_during_start() {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.11", "nodes-it", temporary.resolve("node"))
            .yaml("no_such_setting", "1")
            .fresh(true)
            .build();

    try (CassandraNode node = CassandraNode.start(distribution, spec)) {
      // when / then
      long start = System.nanoTime();
      assertThatThrownBy(() -> node.awaitReady(READY_TIMEOUT))
          .isInstanceOf(CassandraNodeException.class)
          .hasMessageContaining("exited with status")
          .hasMessageContaining("last lines of")
          .hasMessageContaining("no_such_setting");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    }
  }

  private static Object storageServiceAttribute(CassandraNode node, String attribute)
      throws Exception {
    try (JMXConnector connector =
        JMXConnectorFactory.connect(new JMXServiceURL(node.jmxServiceUrl()))) {
      MBeanServerConnection connection = connector.getMBeanServerConnection();
      return connection.getAttribute(
          new ObjectName("org.apache.cassandra.db:type=StorageService"), attribute);
    } catch (IOException e) {
      throw new AssertionError("JMX of " + node + " does not answer", e);
    }
  }
}
