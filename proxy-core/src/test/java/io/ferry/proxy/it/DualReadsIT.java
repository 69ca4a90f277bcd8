package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.ferry.proxy.dualreads.DualReads;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Mirrored reads find divergences and never slow the client down. */
@WithCassandraClusters
class DualReadsIT {

  private static final Map<String, String> DUAL_READS =
      Map.of("ZDM_READ_MODE", "DUAL_ASYNC_ON_SECONDARY");

  @Test
  void should_report_a_row_changed_on_target_as_a_divergence_naming_table_and_key(
      CassandraClusters clusters) {
    // given a table written through Ferry, then one row changed on target behind its back
    Logger logger = (Logger) LoggerFactory.getLogger(DualReads.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try (RunningProxy ferry = RunningProxy.start(DUAL_READS);
        CqlSession session = ferry.session();
        CqlSession target = RunningProxy.direct(CassandraClusters.TARGET_ADDRESS)) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS dual WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute(
          "CREATE TABLE IF NOT EXISTS dual.t (k int, c int, v text, PRIMARY KEY (k, c))");
      session.execute("CREATE TABLE IF NOT EXISTS dual.same (k int PRIMARY KEY, v text)");
      for (int c = 1; c <= 3; c++) {
        session.execute("INSERT INTO dual.t (k, c, v) VALUES (7, " + c + ", 'written " + c + "')");
      }
      session.execute("INSERT INTO dual.same (k, v) VALUES (1, 'equal')");
      target.execute("UPDATE dual.t SET v = 'changed on target' WHERE k = 7 AND c = 2");
      PreparedStatement select = session.prepare("SELECT k, c, v FROM dual.t WHERE k = ?");

      // when the rows are read through Ferry, simple and prepared, and an equal table too
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                session.execute("SELECT * FROM dual.t WHERE k = 7");
                session.execute(select.bind(7));
                session.execute("SELECT * FROM dual.same WHERE k = 1");
                assertThat(ferry.counter("zdm_dual_read_divergences_total", "table", "dual.t"))
                    .isGreaterThanOrEqualTo(2);
                assertThat(ferry.counter("zdm_dual_reads_compared_total", "outcome", "match"))
                    .isPositive();
              });

      // then the divergence is counted for that table only, and logged with key and values
      assertThat(ferry.counter("zdm_dual_read_divergences_total", "table", "dual.same")).isZero();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(messages(logs))
                      .anySatisfy(
                          message ->
                              assertThat(message)
                                  .contains("Dual reads found a divergence on dual.t")
                                  .contains("at partition key (k=7)")
                                  .contains("origin (primary) has {k=7, c=2, v='written 2'}")
                                  .contains("target has {k=7, c=2, v='changed on target'}")));
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void should_not_slow_reads_down_when_the_secondary_is_seconds_late(CassandraClusters clusters)
      throws Exception {
    // given target behind a relay that will delay its answers, mirrored reads going to it
    try (DelayingRelay relay =
            new DelayingRelay(
                "127.0.0.7", 9042, new InetSocketAddress(CassandraClusters.TARGET_ADDRESS, 9042));
        RunningProxy ferry =
            RunningProxy.start(
                Map.of(
                    "ZDM_READ_MODE", "DUAL_ASYNC_ON_SECONDARY",
                    "ZDM_TARGET_CONTACT_POINTS", "127.0.0.7",
                    "ZDM_TARGET_ENABLE_HOST_ASSIGNMENT", "false"));
        CqlSession session = ferry.session()) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS dual WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS dual.slow (k int PRIMARY KEY, v text)");
      session.execute("INSERT INTO dual.slow (k, v) VALUES (1, 'one')");
      PreparedStatement select = session.prepare("SELECT v FROM dual.slow WHERE k = ?");
      // The first mirrored read opens the mirror connection (while target is still fast) and is
      // dropped; the next ones are compared.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                session.execute(select.bind(1));
                return ferry.counter("zdm_dual_reads_compared_total", "outcome", "match") > 0;
              });

      // when target answers 2 s late
      relay.setDelayMillis(2000);
      List<Long> latencies = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        long start = System.nanoTime();
        assertThat(session.execute(select.bind(1)).one().getString("v")).isEqualTo("one");
        latencies.add((System.nanoTime() - start) / 1_000_000);
      }

      // then every read answered at the primary's pace
      Collections.sort(latencies);
      assertThat(latencies.get(latencies.size() - 1)).isLessThan(1000);
      // and the mirrored reads still reach target and get compared, late
      double matchesBefore = ferry.counter("zdm_dual_reads_compared_total", "outcome", "match");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  ferry.counter("zdm_dual_reads_compared_total", "outcome", "match")
                      >= matchesBefore + 10);
      System.out.println(
          "DualReadsIT: read latency with target 2 s late: median "
              + latencies.get(latencies.size() / 2)
              + " ms, max "
              + latencies.get(latencies.size() - 1)
              + " ms");
    }
  }

  private static List<String> messages(ListAppender<ILoggingEvent> logs) {
    synchronized (logs.list) {
      return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
