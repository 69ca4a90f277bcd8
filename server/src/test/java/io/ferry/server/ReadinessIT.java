package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferry.cassandra.CassandraNode;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Readiness follows the clusters: UP with both, DOWN (503) once a control connection fails. */
@WithCassandraClusters
class ReadinessIT {

  private static final String DEDICATED_TARGET = "127.0.0.5";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void should_turn_down_when_the_target_cluster_is_lost(CassandraClusters clusters)
      throws Exception {
    // given a Ferry in front of origin and a target node of this test's own
    CassandraNode target =
        clusters.startNode(clusters.nodeSpec(DEDICATED_TARGET, "readiness-target").build());
    target.awaitReady(Duration.ofMinutes(3));
    LocalPorts ports = LocalPorts.allocate();
    Map<String, String> environment = new HashMap<>(ports.environment());
    environment.put("ZDM_TARGET_CONTACT_POINTS", DEDICATED_TARGET);
    try (FerryServer ferry = FerryServer.create(FerryServer.loadConfig(null, environment))) {
      ferry.start().get(60, TimeUnit.SECONDS);
      assertThat(readiness(ports).statusCode()).isEqualTo(200);

      // when the target node stops
      target.stop(Duration.ofSeconds(30));

      // then readiness reports DOWN with the ZDM Proxy's JSON and 503
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(readiness(ports).statusCode()).isEqualTo(503));
      String body = readiness(ports).body();
      assertThat(body)
          .startsWith(
              "{\"OriginStatus\":{\"Addr\":\""
                  + CassandraClusters.ORIGIN_ADDRESS
                  + ":9042\",\"CurrentFailureCount\":0,"
                  + "\"FailureCountThreshold\":1,\"Status\":\"UP\"},")
          .contains("\"TargetStatus\":{\"Addr\":\"NOT_CONNECTED\"")
          .contains("\"FailureCountThreshold\":1,\"Status\":\"DOWN\"}")
          .endsWith("\"Status\":\"DOWN\"}");
    }
  }

  private HttpResponse<String> readiness(LocalPorts ports) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + ports.metrics() + "/health/readiness"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
