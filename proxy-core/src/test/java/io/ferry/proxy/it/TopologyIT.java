package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.token.TokenRange;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Several Ferry instances look like one token-aware cluster; schema events reach drivers. */
@WithCassandraClusters
class TopologyIT {

  @Test
  void should_present_a_fleet_of_two_ferry_instances_as_a_two_node_cluster(
      CassandraClusters clusters) {
    // given two instances with the same topology addresses and their own index
    int port = RunningProxy.freePort("127.0.0.11");
    Map<String, String> fleet =
        Map.of(
            "ZDM_PROXY_TOPOLOGY_ADDRESSES",
            "127.0.0.11,127.0.0.12",
            "ZDM_PROXY_LISTEN_PORT",
            Integer.toString(port));
    try (RunningProxy first =
            RunningProxy.start(
                with(
                    fleet,
                    "ZDM_PROXY_LISTEN_ADDRESS",
                    "127.0.0.11",
                    "ZDM_PROXY_TOPOLOGY_INDEX",
                    "0"));
        RunningProxy second =
            RunningProxy.start(
                with(
                    fleet,
                    "ZDM_PROXY_LISTEN_ADDRESS",
                    "127.0.0.12",
                    "ZDM_PROXY_TOPOLOGY_INDEX",
                    "1"));
        CqlSession session = first.session()) {
      // when
      Set<InetSocketAddress> nodes =
          session.getMetadata().getNodes().values().stream()
              .map(node -> (InetSocketAddress) node.getEndPoint().resolve())
              .collect(Collectors.toSet());
      // then the driver knows both instances, each with 8 tokens, and no real node
      assertThat(nodes).containsExactlyInAnyOrder(first.address(), second.address());
      var tokenMap = session.getMetadata().getTokenMap().orElseThrow();
      for (Node node : session.getMetadata().getNodes().values()) {
        assertThat(tokenMap.getTokens(node)).hasSize(8);
        assertThat(node.getHostId()).isNotNull();
      }
      Set<TokenRange> ranges = tokenMap.getTokenRanges();
      assertThat(ranges).hasSize(16);
      // and it connects to both instances and gets answers through either
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(first.proxy().clientConnections()).isPositive();
                assertThat(second.proxy().clientConnections()).isPositive();
              });
      for (int i = 0; i < 20; i++) {
        assertThat(session.execute("SELECT cluster_name FROM system.local").one()).isNotNull();
      }
      assertThat(session.execute("SELECT peer FROM system.peers").all()).hasSize(1);
    }
  }

  @Test
  void should_deliver_origin_schema_changes_to_the_driver(CassandraClusters clusters) {
    try (RunningProxy ferry = RunningProxy.start(Map.of());
        CqlSession watcher = ferry.session();
        CqlSession writer = ferry.session()) {
      // when another client creates a table
      writer.execute(
          "CREATE KEYSPACE IF NOT EXISTS topology_events WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      writer.execute("CREATE TABLE IF NOT EXISTS topology_events.created (k int PRIMARY KEY)");
      // then the watcher's metadata learns of it through the SCHEMA_CHANGE event
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(
                          watcher
                              .getMetadata()
                              .getKeyspace("topology_events")
                              .flatMap(keyspace -> keyspace.getTable("created")))
                      .isPresent());
    }
  }

  private static Map<String, String> with(Map<String, String> base, String... entries) {
    Map<String, String> result = new java.util.HashMap<>(base);
    for (int i = 0; i < entries.length; i += 2) {
      result.put(entries[i], entries[i + 1]);
    }
    return result;
  }
}
