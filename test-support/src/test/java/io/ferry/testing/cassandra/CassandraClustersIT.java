package io.ferry.testing.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cassandra.CassandraNode;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;

@WithCassandraClusters
class CassandraClustersIT {

  @Test
  void should_run_origin_and_target_as_two_clusters_on_their_own_addresses(
      CassandraClusters clusters) throws Exception {
    // when
    CassandraNode origin = clusters.origin();
    CassandraNode target = clusters.target();

    // then
    assertThat(origin.isRunning()).isTrue();
    assertThat(target.isRunning()).isTrue();
    assertThat(origin.address()).isEqualTo(CassandraClusters.ORIGIN_ADDRESS);
    assertThat(target.address()).isEqualTo(CassandraClusters.TARGET_ADDRESS);
    assertThat(clusterName(origin)).isEqualTo("origin");
    assertThat(clusterName(target)).isEqualTo("target");
  }

  @Test
  void should_share_the_nodes_with_the_other_test_classes(CassandraClusters clusters) {
    ObservedClusters.assertSameAsFirstSeen(clusters);
  }

  @Test
  void should_start_a_dedicated_node_next_to_the_shared_ones(CassandraClusters clusters)
      throws Exception {
    // given
    var spec = clusters.nodeSpec("127.0.0.4", "dedicated").build();

    // when
    CassandraNode node = clusters.startNode(spec);

    // then
    assertThat(node.isRunning()).isTrue();
    assertThat(node.pid()).isNotIn(clusters.origin().pid(), clusters.target().pid());
    assertThat(clusterName(node)).isEqualTo("dedicated");
    assertThat(node.directory()).startsWith(clusters.origin().directory().getParent());
  }

  static Object clusterName(CassandraNode node) throws Exception {
    try (JMXConnector connector =
        JMXConnectorFactory.connect(new JMXServiceURL(node.jmxServiceUrl()))) {
      return connector
          .getMBeanServerConnection()
          .getAttribute(
              new ObjectName("org.apache.cassandra.db:type=StorageService"), "ClusterName");
    }
  }
}
