package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged ferry.jar as an operator runs it. */
@WithCassandraClusters
class FerryProcessIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void should_stop_with_a_clear_message_on_invalid_configuration(@TempDir Path directory)
      throws Exception {
    // when
    Process ferry =
        FerryJar.launch(
            directory,
            Map.of(
                "ZDM_ORIGIN_CONTACT_POINTS", CassandraClusters.ORIGIN_ADDRESS,
                "ZDM_TARGET_CONTACT_POINTS", CassandraClusters.TARGET_ADDRESS,
                "ZDM_PROXY_MAX_STREAM_IDS", "40000"),
            "run");
    // then
    assertThat(ferry.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(ferry.exitValue()).isEqualTo(2);
    assertThat(Files.readString(directory.resolve("ferry.log")))
        .contains(
            "ferry.proxy.max-stream-ids (ZDM_PROXY_MAX_STREAM_IDS) = 40000 (from environment"
                + " variable ZDM_PROXY_MAX_STREAM_IDS): expected an integer in 1..32768");
  }

  @Test
  void should_read_a_config_file_given_with_config(@TempDir Path directory) throws Exception {
    // given
    Path file = directory.resolve("ferry.conf");
    Files.writeString(file, "ferry.proxy.primary-cluster = SOMETIMES\n");
    // when
    Process ferry =
        FerryJar.launch(
            directory,
            Map.of(
                "ZDM_ORIGIN_CONTACT_POINTS",
                CassandraClusters.ORIGIN_ADDRESS,
                "ZDM_TARGET_CONTACT_POINTS",
                CassandraClusters.TARGET_ADDRESS),
            "run",
            "--config",
            file.toString());
    // then
    assertThat(ferry.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(ferry.exitValue()).isEqualTo(2);
    assertThat(Files.readString(directory.resolve("ferry.log")))
        .contains("ferry.proxy.primary-cluster (ZDM_PRIMARY_CLUSTER) = \"SOMETIMES\" (from " + file)
        .contains("expected one of [ORIGIN, TARGET]");
  }

  @Test
  void should_serve_cql_and_health_then_drain_and_exit_on_sigterm(
      CassandraClusters clusters, @TempDir Path directory) throws Exception {
    // given
    LocalPorts ports = LocalPorts.allocate();
    int metricsPort = ports.metrics();
    int adminPort = ports.admin();
    int cqlPort = ports.cql();
    Process ferry = FerryJar.launch(directory, ports.environment(), "run");
    try {
      // when ready
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> get(metricsPort, "/health/readiness").statusCode() == 200);
      // then health answers with the ZDM Proxy's shape
      HttpResponse<String> readiness = get(metricsPort, "/health/readiness");
      assertThat(readiness.body())
          .contains(
              "\"OriginStatus\":{\"Addr\":\""
                  + CassandraClusters.ORIGIN_ADDRESS
                  + ":9042\",\"CurrentFailureCount\":0")
          .contains("\"TargetStatus\":{\"Addr\":\"" + CassandraClusters.TARGET_ADDRESS + ":9042\"")
          .endsWith("\"Status\":\"UP\"}");
      assertThat(get(metricsPort, "/health/liveness").body()).isEqualTo("OK");
      HttpResponse<String> unknown = get(adminPort, "/no/such/path");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.body()).contains("\"type\":\"NotFound\"");
      // and CQL works through the process
      try (CqlSession session =
          CqlSession.builder()
              .addContactPoint(new InetSocketAddress("127.0.0.1", cqlPort))
              .withLocalDatacenter("datacenter1")
              .build()) {
        assertThat(session.execute("SELECT cluster_name FROM system.local").one().getString(0))
            .isEqualTo("origin");
      }
      // when
      ferry.destroy(); // SIGTERM
      // then
      assertThat(ferry.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(ferry.exitValue()).isZero();
      assertThat(Files.readString(directory.resolve("ferry.log")))
          .contains("Shutting down: refusing new requests")
          .contains("Ferry stopped");
    } finally {
      ferry.destroyForcibly();
    }
  }

  @Test
  void should_log_json_and_stop_cleanly_on_sigterm_while_still_connecting(@TempDir Path directory)
      throws Exception {
    // given a Ferry whose clusters are unreachable (nothing listens on port 1), logging JSON
    int metricsPort = LocalPorts.freePort();
    Process ferry =
        FerryJar.launch(
            directory,
            Map.of(
                "ZDM_ORIGIN_CONTACT_POINTS",
                CassandraClusters.ORIGIN_ADDRESS,
                "ZDM_ORIGIN_PORT",
                "1",
                "ZDM_TARGET_CONTACT_POINTS",
                CassandraClusters.TARGET_ADDRESS,
                "ZDM_TARGET_PORT",
                "1",
                "ZDM_METRICS_PORT",
                Integer.toString(metricsPort),
                "FERRY_ADMIN_PORT",
                Integer.toString(LocalPorts.freePort()),
                "FERRY_LOG_FORMAT",
                "json"),
            "run");
    Path log = directory.resolve("ferry.log");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.readString(log).contains("could not connect"));
    // and readiness says it is still starting
    HttpResponse<String> readiness = get(metricsPort, "/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(503);
    assertThat(readiness.body())
        .isEqualTo("{\"OriginStatus\":null,\"TargetStatus\":null,\"Status\":\"STARTUP\"}");
    assertThat(get(metricsPort, "/metrics").body())
        .isEqualTo("Proxy metrics haven't been initialized yet.");
    // when
    ferry.destroy(); // SIGTERM
    // then
    assertThat(ferry.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(ferry.exitValue()).isZero();
    List<String> lines = Files.readAllLines(log).stream().filter(line -> !line.isBlank()).toList();
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    for (String line : lines) {
      var event = json.readTree(line); // every line is one JSON object
      assertThat(event.has("level")).as(line).isTrue();
      assertThat(event.has("formattedMessage")).as(line).isTrue();
    }
    assertThat(lines)
        .anyMatch(
            line ->
                line.contains("\"level\":\"WARN\"")
                    && line.contains("[control origin] could not connect"));
    assertThat(lines).anyMatch(line -> line.contains("Ferry stopped"));
  }

  @Test
  void should_explain_its_commands() throws Exception {
    // given
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    // when
    int help =
        FerryMain.run(
            new String[] {"--help"}, new java.io.PrintStream(out), new java.io.PrintStream(err));
    int unknown =
        FerryMain.run(
            new String[] {"fly"}, new java.io.PrintStream(out), new java.io.PrintStream(err));
    // then
    assertThat(help).isZero();
    assertThat(out.toString())
        .contains("bin/ferry run [--config FILE]")
        .contains("bin/ferry quickstart");
    assertThat(unknown).isEqualTo(2);
    assertThat(err.toString()).contains("unknown command: fly");
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new FailedResponse();
    }
  }

  /** A connection refused, seen as a 503 while Ferry starts. */
  private static final class FailedResponse implements HttpResponse<String> {
    @Override
    public int statusCode() {
      return 503;
    }

    @Override
    public HttpRequest request() {
      return null;
    }

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
    }

    @Override
    public String body() {
      return "";
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    @Override
    public URI uri() {
      return null;
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
