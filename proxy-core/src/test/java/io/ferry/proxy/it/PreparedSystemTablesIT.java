package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A prepared {@code SELECT} on {@code system.local} or {@code system.peers} is answered by Ferry
 * with its own topology, exactly like the same query unprepared: gocql prepares every statement it
 * is given, so an application reading {@code system.local} through it would otherwise see origin's
 * node addresses instead of Ferry's.
 */
@WithCassandraClusters
class PreparedSystemTablesIT {

  @Test
  void should_answer_a_prepared_select_star_on_system_local_as_the_unprepared_one(
      CassandraClusters clusters) {
    try (RunningProxy ferry = RunningProxy.start();
        CqlSession session = ferry.session()) {
      // given what Ferry answers to the query unprepared
      String query = "SELECT * FROM system.local";
      Node node = nodeAt(session, ferry);
      List<Map<String, Object>> unprepared = rows(session.execute(simple(query, node)));

      // when the application prepares it and executes it
      List<Map<String, Object>> prepared =
          rows(session.execute(session.prepare(query).bind().setNode(node)));

      // then it gets Ferry's own row, not origin's
      assertThat(prepared).singleElement().satisfies(row -> assertFerryAddresses(row, ferry));
      // and exactly the unprepared answer
      assertThat(prepared).isEqualTo(unprepared);
    }
  }

  @Test
  void should_answer_a_prepared_select_of_address_columns_on_system_local_as_the_unprepared_one(
      CassandraClusters clusters) {
    try (RunningProxy ferry = RunningProxy.start();
        CqlSession session = ferry.session()) {
      // given what Ferry answers to the query unprepared
      String query = "SELECT rpc_address, broadcast_address, listen_address FROM system.local";
      Node node = nodeAt(session, ferry);
      List<Map<String, Object>> unprepared = rows(session.execute(simple(query, node)));

      // when the application prepares it and executes it
      List<Map<String, Object>> prepared =
          rows(session.execute(session.prepare(query).bind().setNode(node)));

      // then it gets Ferry's addresses, in the columns it asked for, exactly as unprepared
      assertThat(prepared)
          .singleElement()
          .satisfies(
              row -> {
                assertThat(row)
                    .containsOnlyKeys("rpc_address", "broadcast_address", "listen_address");
                assertFerryAddresses(row, ferry);
              });
      assertThat(prepared).isEqualTo(unprepared);
    }
  }

  @Test
  void should_answer_a_prepared_select_star_on_system_peers_as_the_unprepared_one(
      CassandraClusters clusters) {
    // given two Ferry instances: each one's system.peers is the other (origin has no peers)
    int port = RunningProxy.freePort("127.0.0.11");
    Map<String, String> fleet =
        Map.of(
            "ZDM_PROXY_TOPOLOGY_ADDRESSES",
            "127.0.0.11,127.0.0.12",
            "ZDM_PROXY_LISTEN_PORT",
            Integer.toString(port));
    try (RunningProxy first = RunningProxy.start(instance(fleet, "127.0.0.11", 0));
        RunningProxy second = RunningProxy.start(instance(fleet, "127.0.0.12", 1));
        CqlSession session = first.session()) {
      String query = "SELECT * FROM system.peers";
      Node node = nodeAt(session, first);
      List<Map<String, Object>> unprepared = rows(session.execute(simple(query, node)));
      assertThat(unprepared)
          .singleElement()
          .satisfies(row -> assertThat(row.get("peer")).isEqualTo(second.address().getAddress()));

      // when the application prepares it and executes it on the first instance
      List<Map<String, Object>> prepared =
          rows(session.execute(session.prepare(query).bind().setNode(node)));

      // then it gets the same row: the second instance, not origin's (empty) peers
      assertThat(prepared).isEqualTo(unprepared);
    }
  }

  /** Every address column of the row is Ferry's, none is origin's node's. */
  private static void assertFerryAddresses(Map<String, Object> row, RunningProxy ferry) {
    InetAddress ferryAddress = ferry.address().getAddress();
    assertThat(row)
        .extractingByKeys("rpc_address", "broadcast_address", "listen_address")
        .as("rpc_address, broadcast_address, listen_address")
        .containsExactly(ferryAddress, ferryAddress, ferryAddress);
  }

  /** The driver's node for a Ferry instance: queries pinned to it get that instance's answer. */
  private static Node nodeAt(CqlSession session, RunningProxy ferry) {
    return session.getMetadata().getNodes().values().stream()
        .filter(node -> node.getEndPoint().resolve().equals(ferry.address()))
        .findFirst()
        .orElseThrow();
  }

  private static SimpleStatement simple(String query, Node node) {
    return SimpleStatement.newInstance(query).setNode(node);
  }

  /** Rows as column name → value, in the order of the result's columns. */
  private static List<Map<String, Object>> rows(ResultSet result) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Row row : result) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (ColumnDefinition column : row.getColumnDefinitions()) {
        values.put(column.getName().asInternal(), row.getObject(column.getName()));
      }
      rows.add(values);
    }
    return rows;
  }

  private static Map<String, String> instance(
      Map<String, String> fleet, String address, int index) {
    Map<String, String> environment = new HashMap<>(fleet);
    environment.put("ZDM_PROXY_LISTEN_ADDRESS", address);
    environment.put("ZDM_PROXY_TOPOLOGY_INDEX", Integer.toString(index));
    return environment;
  }
}
