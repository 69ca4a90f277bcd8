package io.ferry.server;

import static io.ferry.testing.workload.FaultSettings.DRIVER_TIMEOUT;
import static io.ferry.testing.workload.FaultSettings.FAULT;
import static io.ferry.testing.workload.FaultSettings.LOAD;
import static io.ferry.testing.workload.FaultSettings.REQUEST_TIMEOUT;
import static io.ferry.testing.workload.FaultSettings.STEADY;
import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import io.ferry.testing.http.HttpProbe;
import io.ferry.testing.workload.Audit;
import io.ferry.testing.workload.FaultOutcome;
import io.ferry.testing.workload.FaultTable;
import io.ferry.testing.workload.IdleGauges;
import io.ferry.testing.workload.Workload;
import io.ferry.testing.workload.WorkloadResult;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault of Ferry itself: the process stopped with SIGTERM while a steady load of prepared
 * writes and reads goes through it, then started again, as in a rolling restart. Every write the
 * client saw acknowledged is on both clusters, none hung, the drain leaves no write on one cluster
 * only, the restarted Ferry serves the same driver session again and its stream ids return to zero,
 * and neither process reports a Netty leak (they run with paranoid leak detection, and a garbage
 * collection is forced so that leaks show).
 *
 * <p>{@code -Dferry.faults.long=true} runs it about ten times longer, with twice the load (see
 * {@link io.ferry.testing.workload.FaultSettings}).
 */
@WithCassandraClusters
class FerryRestartIT {

  private static final String TABLE = "faults.ferry_sigterm";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> JVM_OPTIONS =
      List.of("-Dio.netty.leakDetection.level=paranoid", "-Xmx256m");

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void should_lose_no_acknowledged_write_when_ferry_is_stopped_with_sigterm_and_started_again(
      CassandraClusters clusters, @TempDir Path directory) throws Exception {
    for (String node :
        List.of(CassandraClusters.ORIGIN_ADDRESS, CassandraClusters.TARGET_ADDRESS)) {
      try (CqlSession session = CassandraClusters.directSession(node)) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS faults WITH replication ="
                + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute(Workload.createTable(TABLE));
      }
    }
    LocalPorts ports = LocalPorts.allocate();
    Map<String, String> environment = new HashMap<>(ports.environment());
    environment.put("ZDM_PROXY_REQUEST_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT.toMillis()));
    Path firstLog = directory.resolve("ferry-1.log");
    Path secondLog = directory.resolve("ferry-2.log");
    Process first = FerryJar.launch(firstLog, environment, JVM_OPTIONS, "run");
    Process second = null;
    try {
      awaitReady(ports.metrics(), first);
      WorkloadResult load;
      Duration recovery;
      Duration drain;
      int firstExit;
      int secondExit;
      String stillBusy;
      String counted;
      try (CqlSession session = throughFerry(ports.cql())) {
        // given a steady load through Ferry
        Workload workload = Workload.start(session, TABLE, 0, LOAD);
        Thread.sleep(STEADY.toMillis());
        collectGarbage(first);

        // when Ferry is stopped with SIGTERM
        long stopping = System.nanoTime();
        first.destroy();
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("Ferry exits after SIGTERM").isTrue();
        drain = Duration.ofNanos(System.nanoTime() - stopping);
        firstExit = first.exitValue();
        Thread.sleep(FAULT.toMillis());

        // and started again
        second = FerryJar.launch(secondLog, environment, JVM_OPTIONS, "run");
        awaitReady(ports.metrics(), second);
        long restarted = System.nanoTime();

        // then the same driver session is served again
        recovery = workload.awaitAcknowledgedWriteStartedAfter(restarted, START_TIMEOUT);
        Thread.sleep(STEADY.toMillis());
        collectGarbage(second);
        Thread.sleep(1000);
        load = workload.stop();
        stillBusy =
            IdleGauges.await(
                () -> {
                  String metrics = body(ports.metrics(), "/metrics");
                  return name -> metrics.contains(name) ? sum(metrics, name) : -1;
                },
                IDLE_TIMEOUT);
        String metrics = body(ports.metrics(), "/metrics");
        counted =
            String.format(
                "drain %d ms, exit %d; restarted Ferry: failed_on target=%.0f origin=%.0f"
                    + " both=%.0f",
                drain.toMillis(),
                firstExit,
                sum(metrics, "zdm_proxy_failed_writes_total{failed_on=\"target\""),
                sum(metrics, "zdm_proxy_failed_writes_total{failed_on=\"origin\""),
                sum(metrics, "zdm_proxy_failed_writes_total{failed_on=\"both\""));
      }
      second.destroy();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      secondExit = second.exitValue();

      Audit audit;
      try (CqlSession origin = CassandraClusters.directSession(CassandraClusters.ORIGIN_ADDRESS);
          CqlSession target = CassandraClusters.directSession(CassandraClusters.TARGET_ADDRESS)) {
        audit = Audit.of(load, TABLE, origin, target);
      }
      String firstOutput = Files.readString(firstLog);
      String secondOutput = Files.readString(secondLog);
      FaultOutcome outcome =
          new FaultOutcome(
              "Ferry stopped (SIGTERM) " + FAULT.toSeconds() + " s, started again",
              load,
              audit,
              recovery,
              stillBusy,
              counted);
      FaultTable table = new FaultTable("Ferry itself");
      table.add(outcome);
      System.out.println(outcome.summary());
      System.out.println(table.render());

      SoftAssertions softly = new SoftAssertions();
      outcome.check(softly);
      softly.assertThat(firstExit).as("exit status after SIGTERM").isZero();
      softly.assertThat(secondExit).as("exit status of the restarted Ferry").isZero();
      // The drain lets every write in flight finish on both clusters, and refuses the others
      // before they reach either.
      softly.assertThat(audit.onOriginOnly()).as("rows on origin only").isZero();
      softly.assertThat(audit.onTargetOnly()).as("rows on target only").isZero();
      softly.assertThat(firstOutput).as("first Ferry's output").doesNotContain("LEAK:");
      softly.assertThat(secondOutput).as("restarted Ferry's output").doesNotContain("LEAK:");
      softly.assertThat(firstOutput).contains("Shutting down: refusing new requests");
      softly.assertAll();
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly();
      }
    }
  }

  private static CqlSession throughFerry(int port) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", port))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, DRIVER_TIMEOUT)
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(100))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1))
                .build())
        .build();
  }

  private void awaitReady(int metricsPort, Process ferry) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (status(metricsPort, "/health/readiness") != 200) {
      assertThat(ferry.isAlive()).as("Ferry is running").isTrue();
      assertThat(System.nanoTime() - deadline).as("Ferry ready in time").isNegative();
      Thread.sleep(100);
    }
  }

  /**
   * The sum of the samples of a metric, {@code prefix} being its name, possibly followed by the
   * start of its labels ({@code name{label="value"}).
   */
  private static double sum(String metrics, String prefix) {
    return metrics
        .lines()
        .filter(
            line ->
                line.length() > prefix.length()
                    && line.startsWith(prefix)
                    && " {,}".indexOf(line.charAt(prefix.length())) >= 0)
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  /**
   * Makes the process collect garbage, so that Netty's leak detector sees any buffer that was
   * dropped unreleased and reports it on the next allocations.
   */
  private static void collectGarbage(Process ferry) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return;
    }
    Process gc =
        new ProcessBuilder(jcmd.toString(), Long.toString(ferry.pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    gc.waitFor(30, TimeUnit.SECONDS);
  }

  /** The status of a GET, -1 when nothing answers (yet). */
  private int status(int port, String path) {
    HttpResponse<String> response = get(port, path);
    return response == null ? -1 : response.statusCode();
  }

  /** The body of a GET, empty when nothing answers. */
  private String body(int port, String path) {
    HttpResponse<String> response = get(port, path);
    return response == null ? "" : response.body();
  }

  /** A GET's response, or null when nothing answers. */
  private HttpResponse<String> get(int port, String path) {
    return HttpProbe.getOrNull(http, "http://127.0.0.1:" + port + path);
  }
}
