package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import io.ferry.cassandra.CassandraNode;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A target node that stops must fail writes with an error, never leave them hanging. */
@WithCassandraClusters
class TargetFailureIT {

  private static final String DEDICATED_TARGET = "127.0.0.4";

  @Test
  void should_fail_writes_with_an_error_when_the_target_node_stops(CassandraClusters clusters)
      throws Exception {
    // given a target node of this test's own, and Ferry in front of origin and it
    CassandraNode target =
        clusters.startNode(clusters.nodeSpec(DEDICATED_TARGET, "target-failure").build());
    target.awaitReady(Duration.ofMinutes(3));
    try (RunningProxy ferry =
            RunningProxy.start(Map.of("ZDM_TARGET_CONTACT_POINTS", DEDICATED_TARGET));
        CqlSession session =
            ferry.session(
                config ->
                    config
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(
                            DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
                        .withDuration(
                            DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1)))) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS target_failure WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS target_failure.t (k int PRIMARY KEY, v int)");
      session.execute("INSERT INTO target_failure.t (k, v) VALUES (1, 1)");

      // when the target node stops
      target.stop(Duration.ofSeconds(30));
      long start = System.nanoTime();
      Throwable failure =
          catchThrowable(
              () -> session.execute("INSERT INTO target_failure.t (k, v) VALUES (2, 2)"));
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

      // then the write fails with an error, well before the driver's own request timeout
      assertThat(failure).isNotNull();
      assertThat(elapsed).isLessThan(Duration.ofSeconds(15));
      // and reads, served by origin, still fail cleanly or succeed, but never hang
      Throwable read = catchThrowable(() -> session.execute("SELECT * FROM target_failure.t"));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      if (read != null) {
        assertThat(read.getMessage()).isNotBlank();
      }
    }
  }
}
