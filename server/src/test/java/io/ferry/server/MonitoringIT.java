package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboards against reality: Ferry in front of real Cassandra nodes under a small workload,
 * scraped by a real Prometheus (Debian package {@code prometheus}), and every PromQL expression of
 * every panel of every dashboard in {@code grafana/dashboards} evaluated through Prometheus' HTTP
 * API. Each must parse and return data; a panel on a metric Ferry does not export fails.
 */
@WithCassandraClusters
class MonitoringIT {

  private static final Path DASHBOARDS = Path.of("..", "grafana", "dashboards");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void should_give_data_to_every_dashboard_query(
      CassandraClusters clusters, @TempDir Path directory) throws Exception {
    // given Ferry under load
    LocalPorts ports = LocalPorts.allocate();
    int cqlPort = ports.cql();
    int metricsPort = ports.metrics();
    Map<String, String> environment = new java.util.HashMap<>(ports.environment());
    // Dual reads on, so that the async-read and comparison panels have data too.
    environment.put("ZDM_READ_MODE", "DUAL_ASYNC_ON_SECONDARY");
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService workload = Executors.newSingleThreadExecutor();
    Process prometheus = null;
    try (FerryServer ferry = FerryServer.create(FerryServer.loadConfig(null, environment))) {
      ferry.start().get(60, TimeUnit.SECONDS);
      CqlSession session =
          CqlSession.builder()
              .addContactPoint(new InetSocketAddress("127.0.0.1", cqlPort))
              .withLocalDatacenter("datacenter1")
              .build();
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS monitoring WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS monitoring.t (k int PRIMARY KEY, v int)");
      // a row that differs on target, so that a divergence is found and counted
      session.execute("INSERT INTO monitoring.t (k, v) VALUES (-1, -1)");
      try (CqlSession target = CassandraClusters.directSession(CassandraClusters.TARGET_ADDRESS)) {
        target.execute("UPDATE monitoring.t SET v = -2 WHERE k = -1");
      }
      PreparedStatement insert = session.prepare("INSERT INTO monitoring.t (k, v) VALUES (?, ?)");
      PreparedStatement select = session.prepare("SELECT v FROM monitoring.t WHERE k = ?");
      workload.submit(
          () -> {
            int k = 0;
            while (running.get()) {
              session.execute(insert.bind(k, k));
              session.execute(select.bind(k));
              session.execute(select.bind(-1));
              session.execute("SELECT * FROM monitoring.t WHERE k = " + k);
              // Failures too, so that the failure panels have series: a write and a read that
              // both clusters refuse.
              ignoreFailure(() -> session.execute("INSERT INTO monitoring.missing (k) VALUES (1)"));
              ignoreFailure(() -> session.execute("SELECT * FROM monitoring.missing"));
              k++;
            }
            session.close();
            return null;
          });
      System.gc(); // so that the JVM dashboard's GC pause series exist

      // when a real Prometheus scrapes Ferry every second
      int prometheusPort = LocalPorts.freePort();
      prometheus = startPrometheus(directory, metricsPort, prometheusPort);
      String api = "http://127.0.0.1:" + prometheusPort;
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () ->
                  assertThat(query(api, "count_over_time(up{job=\"zdm_proxy\"}[1m]) >= 8"))
                      .isNotEmpty());

      // then every expression of every panel parses and returns data
      List<String> failures = new ArrayList<>();
      int evaluated = 0;
      try (Stream<Path> files = Files.list(DASHBOARDS)) {
        for (Path file :
            files.filter(path -> path.toString().endsWith(".json")).sorted().toList()) {
          for (String expression : expressions(JSON.readTree(file.toFile()))) {
            evaluated++;
            String promql = substituteVariables(expression);
            try {
              if (query(api, promql).isEmpty()) {
                failures.add(file.getFileName() + ": no data: " + promql);
              }
            } catch (IllegalStateException e) {
              failures.add(file.getFileName() + ": " + e.getMessage() + ": " + promql);
            }
          }
        }
      }
      System.out.println("MonitoringIT: evaluated " + evaluated + " dashboard expressions");
      assertThat(evaluated).isGreaterThan(100);
      assertThat(failures).isEmpty();
      assertThat(query(api, "up{job=\"zdm_proxy\"}").get(0).get("value").get(1).asText())
          .isEqualTo("1");
    } finally {
      running.set(false);
      workload.shutdown();
      workload.awaitTermination(30, TimeUnit.SECONDS);
      if (prometheus != null) {
        prometheus.destroy();
        prometheus.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  /** Every target expression of every panel (rows included) and every query variable. */
  static List<String> expressions(JsonNode dashboard) {
    List<String> expressions = new ArrayList<>();
    collectPanels(dashboard.path("panels"), expressions);
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        expressions.add(variable.path("query").asText());
      }
    }
    return expressions;
  }

  private static void collectPanels(JsonNode panels, List<String> expressions) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        expressions.add(target.path("expr").asText());
      }
      collectPanels(panel.path("panels"), expressions);
    }
  }

  /** What Grafana does with "All" selected and the default intervals. */
  static String substituteVariables(String expression) {
    return expression
        .replace("$proxyinstance", ".*")
        .replace("$node", ".*")
        .replace("$histogram_rate", "1m")
        .replace("$error_rate", "1m")
        .replace("$interval", "1m")
        .replace("$__rate_interval", "1m");
  }

  private List<JsonNode> query(String api, String promql) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        api
                            + "/api/v1/query?query="
                            + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (!body.path("status").asText().equals("success")) {
      throw new IllegalStateException(body.path("error").asText(response.body()));
    }
    List<JsonNode> result = new ArrayList<>();
    body.path("data").path("result").forEach(result::add);
    return result;
  }

  private static Process startPrometheus(Path directory, int metricsPort, int port)
      throws IOException {
    Path binary =
        Stream.of("/usr/bin/prometheus", "/usr/local/bin/prometheus")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Prometheus is not installed: apt-get install prometheus (.ci/run does it)"));
    Path config = directory.resolve("prometheus.yml");
    Files.writeString(
        config,
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            + "scrape_configs:\n  - job_name: zdm_proxy\n    metrics_path: /metrics\n"
            + "    static_configs:\n      - targets: ['127.0.0.1:"
            + metricsPort
            + "']\n");
    return new ProcessBuilder(
            binary.toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + directory.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(directory.resolve("prometheus.log").toFile())
        .start();
  }

  private static void ignoreFailure(Runnable request) {
    try {
      request.run();
    } catch (RuntimeException expected) {
      // the failure is the point
    }
  }
}
