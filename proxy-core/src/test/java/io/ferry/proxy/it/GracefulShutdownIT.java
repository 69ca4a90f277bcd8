package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** SIGTERM drains: in-flight writes finish on both clusters, new ones are told to go elsewhere. */
@WithCassandraClusters
class GracefulShutdownIT {

  @Test
  void should_finish_in_flight_requests_and_refuse_new_ones_while_shutting_down(
      CassandraClusters clusters) throws Exception {
    // given a steady write load through Ferry
    RunningProxy ferry = RunningProxy.start(Map.of());
    CqlSession session = ferry.session();
    session.execute(
        "CREATE KEYSPACE IF NOT EXISTS shutdown WITH replication ="
            + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute("CREATE TABLE IF NOT EXISTS shutdown.t (k int PRIMARY KEY)");
    PreparedStatement insert = session.prepare("INSERT INTO shutdown.t (k) VALUES (?)");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger next = new AtomicInteger();
    Map<Integer, Boolean> acknowledged = new ConcurrentHashMap<>();
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    AtomicInteger shuttingDown = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(8);
    for (int thread = 0; thread < 8; thread++) {
      writers.submit(
          () -> {
            while (running.get()) {
              int key = next.incrementAndGet();
              try {
                session.execute(insert.bind(key));
                acknowledged.put(key, true);
              } catch (OverloadedException e) {
                if (e.getMessage().contains("Shutting down, please retry on next host.")) {
                  shuttingDown.incrementAndGet();
                } else {
                  unexpected.add(e);
                }
              } catch (AllNodesFailedException e) {
                // Once Ferry has closed, the driver has no node left (NoNodeAvailableException is
                // one of these): expected. Count those refused by the drain.
                if (e.getAllErrors().values().stream()
                    .flatMap(List::stream)
                    .anyMatch(
                        error ->
                            error instanceof OverloadedException
                                && error.getMessage().contains("Shutting down"))) {
                  shuttingDown.incrementAndGet();
                }
              } catch (ClosedConnectionException e) {
                // A request racing the final close never completed, so it was not acknowledged.
              } catch (Throwable e) {
                unexpected.add(e);
              }
            }
          });
    }
    Thread.sleep(1500);

    // when Ferry shuts down under load
    ferry.close();
    running.set(false);
    writers.shutdown();
    assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    session.close();

    // then every acknowledged write is on both clusters
    assertThat(acknowledged).isNotEmpty();
    assertThat(unexpected).isEmpty();
    try (CqlSession origin = RunningProxy.direct(CassandraClusters.ORIGIN_ADDRESS);
        CqlSession target = RunningProxy.direct(CassandraClusters.TARGET_ADDRESS)) {
      for (CqlSession cluster : List.of(origin, target)) {
        var keys = new java.util.HashSet<Integer>();
        cluster.execute("SELECT k FROM shutdown.t").forEach(row -> keys.add(row.getInt("k")));
        assertThat(keys).containsAll(acknowledged.keySet());
      }
    }
  }
}
