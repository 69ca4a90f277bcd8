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

  private static long writeTime(CqlSession cluster, int k) {
    return cluster.execute("SELECT WRITETIME(v) FROM identical.t WHERE k = " + k).one().getLong(0);
  }

  private static String value(CqlSession cluster, int k) {
    return cluster.execute("SELECT v FROM identical.t WHERE k = " + k).one().getString(0);
  }
}
