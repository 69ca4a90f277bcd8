package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same write stores the same values and write times on both clusters. */
@WithCassandraClusters
class IdenticalWritesIT {

  private static CqlSession origin;
  private static CqlSession target;

  @BeforeAll
  static void schema(CassandraClusters clusters) {
    origin = RunningProxy.direct(CassandraClusters.ORIGIN_ADDRESS);
    target = RunningProxy.direct(CassandraClusters.TARGET_ADDRESS);
    for (CqlSession cluster : new CqlSession[] {origin, target}) {
      cluster.execute(
          "CREATE KEYSPACE IF NOT EXISTS identical WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      cluster.execute("CREATE TABLE IF NOT EXISTS identical.t (k int PRIMARY KEY, v text)");
      cluster.execute(
          "CREATE TABLE IF NOT EXISTS identical.events (k int PRIMARY KEY, ts timeuuid, other"
              + " timeuuid)");
    }
  }

  @AfterAll
  static void close() {
    origin.close();
    target.close();
  }

  /** A driver that sends no client-side timestamps, as some do. */
  private static CqlSession sessionWithoutTimestamps(RunningProxy ferry) {
    return ferry.session(
        config ->
            config.withString(
                DefaultDriverOption.TIMESTAMP_GENERATOR_CLASS, "ServerSideTimestampGenerator"));
  }

  @Test
  void should_store_the_same_write_time_on_both_clusters_when_the_client_sends_none() {
    try (RunningProxy ferry = RunningProxy.start();
        CqlSession session = sessionWithoutTimestamps(ferry)) {
      // when simple, prepared, batched and updated writes go through Ferry
      session.execute("INSERT INTO identical.t (k, v) VALUES (1, 'simple')");
      PreparedStatement insert = session.prepare("INSERT INTO identical.t (k, v) VALUES (?, ?)");
      session.execute(insert.bind(2, "prepared"));
      session.execute(
          BatchStatement.builder(BatchType.LOGGED)
              .addStatement(insert.bind(3, "batch prepared"))
              .addStatement(
                  SimpleStatement.newInstance(
                      "INSERT INTO identical.t (k, v) VALUES (4, 'batch simple')"))
              .build());
      session.execute(
          BatchStatement.builder(BatchType.UNLOGGED)
              .addStatement(insert.bind(5, "unlogged"))
              .build());
      session.execute("UPDATE identical.t SET v = 'updated' WHERE k = 1");
      // then each row has the same value and write time on origin and target
      for (int k = 1; k <= 5; k++) {
        assertThat(writeTime(target, k)).as("k=%d", k).isEqualTo(writeTime(origin, k)).isPositive();
        assertThat(value(target, k)).isEqualTo(value(origin, k)).isNotNull();
      }
    }
  }

  @Test
  void should_store_different_write_times_when_timestamps_are_not_assigned() {
    // given Ferry configured not to assign timestamps (what any proxy without it does)
    try (RunningProxy ferry = RunningProxy.start(Map.of("FERRY_ASSIGN_WRITE_TIMESTAMPS", "false"));
        CqlSession session = sessionWithoutTimestamps(ferry)) {
      // when
      for (int k = 100; k < 110; k++) {
        session.execute("INSERT INTO identical.t (k, v) VALUES (" + k + ", 'unassigned')");
      }
      // then the clusters stamped the writes themselves, at different microseconds
      int different = 0;
      for (int k = 100; k < 110; k++) {
        if (writeTime(origin, k) != writeTime(target, k)) {
          different++;
        }
      }
      assertThat(different).isPositive();
    }
  }

  @Test
  void should_store_the_same_now_value_on_both_clusters_when_replacement_is_on() {
    try (RunningProxy ferry = RunningProxy.start(Map.of("ZDM_REPLACE_CQL_FUNCTIONS", "true"));
        CqlSession session = ferry.session()) {
      // when now() is called in simple, prepared, named, batched and updating writes
      session.execute("INSERT INTO identical.events (k, ts) VALUES (1, now())");
      PreparedStatement positional =
          session.prepare("INSERT INTO identical.events (k, ts) VALUES (?, now())");
      PreparedStatement first =
          session.prepare("INSERT INTO identical.events (ts, k) VALUES (now(), ?)");
      PreparedStatement named =
          session.prepare("INSERT INTO identical.events (k, ts) VALUES (:k, now())");
      PreparedStatement update =
          session.prepare("UPDATE identical.events SET other = now() WHERE k = ?");
      session.execute(positional.bind(2));
      session.execute(first.bind(3));
      session.execute(named.bind().setInt("k", 4));
      session.execute(
          BatchStatement.builder(BatchType.LOGGED)
              .addStatement(positional.bind(5))
              .addStatement(
                  SimpleStatement.newInstance(
                      "INSERT INTO identical.events (k, ts) VALUES (6, now())"))
              .build());
      session.execute(update.bind(1));
      // then the client binds only its own variables
      assertThat(positional.getVariableDefinitions().size()).isEqualTo(1);
      assertThat(first.getVariableDefinitions().get(0).getName().asInternal()).isEqualTo("k");
      assertThat(positional.getPartitionKeyIndices()).containsExactly(0);
      assertThat(first.getPartitionKeyIndices()).containsExactly(0);
      // and both clusters hold the same timeuuids
      for (int k = 1; k <= 6; k++) {
        var onOrigin =
            origin.execute("SELECT ts, other FROM identical.events WHERE k = " + k).one();
        var onTarget =
            target.execute("SELECT ts, other FROM identical.events WHERE k = " + k).one();
        assertThat(onOrigin.getUuid("ts")).as("k=%d", k).isNotNull();
        assertThat(onTarget.getUuid("ts")).as("k=%d", k).isEqualTo(onOrigin.getUuid("ts"));
        assertThat(onTarget.getUuid("other")).isEqualTo(onOrigin.getUuid("other"));
      }
      assertThat(origin.execute("SELECT other FROM identical.events WHERE k = 1").one().getUuid(0))
          .isNotNull();
    }
  }

  @Test
  void should_store_different_now_values_when_replacement_is_off() {
    try (RunningProxy ferry = RunningProxy.start();
        CqlSession session = ferry.session()) {
      // when
      session.execute("INSERT INTO identical.events (k, ts) VALUES (100, now())");
      // then each cluster computed its own now()
      assertThat(target.execute("SELECT ts FROM identical.events WHERE k = 100").one().getUuid(0))
          .isNotEqualTo(
              origin.execute("SELECT ts FROM identical.events WHERE k = 100").one().getUuid(0));
    }
  }

  private static long writeTime(CqlSession cluster, int k) {
    return cluster.execute("SELECT WRITETIME(v) FROM identical.t WHERE k = " + k).one().getLong(0);
  }

  private static String value(CqlSession cluster, int k) {
    return cluster.execute("SELECT v FROM identical.t WHERE k = " + k).one().getString(0);
  }
}
