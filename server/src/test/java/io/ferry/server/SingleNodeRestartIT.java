package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.server.AdminClient.Answer;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Operations that take a cluster's only node down, behind two Ferry instances (127.0.0.135 and
 * .136): a one-node origin (127.0.0.131) whose requests and leases live in the shared target, so
 * that every instance follows a restart of that node from start to end. Also the admin API as a
 * browser and as curl reach it, and a table created directly on the node a moment before it is
 * flushed.
 */
@WithCassandraClusters
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SingleNodeRestartIT {

  private static final String NODE = "127.0.0.131";
  private static final String FERRY_A = "127.0.0.135";
  private static final String FERRY_B = "127.0.0.136";

  private final AdminClient client = new AdminClient();
  private final HttpClient http = HttpClient.newHttpClient();
  private ScriptedNodes nodes;
  private String adminA;
  private String adminB;

  @BeforeAll
  void start(CassandraClusters clusters) throws Exception {
    nodes = new ScriptedNodes(clusters, "single-node");
    nodes.start(clusters.nodeSpec(NODE, "single").seeds(List.of(NODE)).build());
    nodes.writeFerryConfig();
    int cqlPort = LocalPorts.freePort();
    adminA = nodes.startFerry(FERRY_A, cqlPort, topology(0)).admin();
    adminB = nodes.startFerry(FERRY_B, cqlPort, topology(1)).admin();
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  @Order(1)
  void should_refuse_a_cross_site_form_post_and_accept_the_same_post_from_curl() throws Exception {
    // given: what a browser sends for a form of another site, and what `curl -X POST ... -d` sends
    String form = "[]";
    HttpRequest.Builder post =
        HttpRequest.newBuilder(URI.create(adminA + "/origin/ops/flush/" + NODE))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    // when
    HttpResponse<String> browser =
        http.send(
            post.copy()
                .header("Origin", "https://attacker.example")
                .header("Sec-Fetch-Site", "cross-site")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> curl =
        http.send(
            post.copy().header("User-Agent", "curl/8.5.0").build(),
            HttpResponse.BodyHandlers.ofString());
    // then
    assertThat(browser.statusCode()).as(browser.body()).isEqualTo(403);
    assertThat(AdminClient.JSON.readTree(browser.body()).get("message").asText())
        .contains("Sec-Fetch-Site: cross-site");
    assertThat(curl.statusCode()).as(curl.body()).isEqualTo(200);
    assertThat(curl.body()).isEqualTo("null");
  }

  @Test
  @Order(2)
  void should_flush_a_table_created_directly_on_the_node_a_moment_before() throws Exception {
    // given: the admin API knows the schema already (the call above), then a table appears
    try (CqlSession direct = CassandraClusters.directSession(NODE)) {
      direct.execute(
          "CREATE KEYSPACE single_it WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      direct.execute("CREATE TABLE single_it.t (k int PRIMARY KEY, v text)");
    }
    // when
    Answer flush =
        client.call(adminA, "POST", "/origin/ops/flush/" + NODE + "/single_it", "[\"t\"]");
    // then
    assertThat(flush.status()).as(flush.body()).isEqualTo(200);
    assertThat(flush.body()).isEqualTo("null");
  }

  @Test
  @Order(3)
  void should_restart_the_only_node_while_every_instance_follows_its_request() throws Exception {
    // when
    Answer restart = client.call(adminA, "POST", "/origin/ops/restart/" + NODE, "{}");
    // then
    assertThat(restart.status()).as(restart.body()).isEqualTo(200);
    Set<String> seen = followToTheEnd(restart.json().asText());
    assertThat(seen).contains("success");
    assertAnswersCql();
  }

  @Test
  @Order(4)
  void should_rolling_restart_the_only_node_while_every_instance_follows_its_request()
      throws Exception {
    // when
    Answer restart = client.call(adminB, "POST", "/origin/ops/restart", "{\"sleep\": 0}");
    // then
    assertThat(restart.status()).as(restart.body()).isEqualTo(200);
    String id = restart.json().asText();
    Set<String> seen = followToTheEnd(id);
    assertThat(seen).contains("success");
    JsonNode done = client.call(adminA, "GET", "/request/" + id + "/status", null).json();
    done.get("details")
        .forEach(step -> assertThat(step.get("state").asText()).isEqualTo("success"));
    assertThat(client.call(adminA, "GET", "/origin/request/rolling-restart", null).json().asText())
        .isEqualTo(id);
    assertAnswersCql();
  }

  @Test
  @Order(5)
  void should_stop_then_start_the_only_node_each_on_its_own() throws Exception {
    // when
    Answer stop =
        client.call(adminA, "POST", "/origin/ops/stop/" + NODE, "{\"drain_first\": true}");
    // then
    assertThat(stop.status()).as(stop.body()).isEqualTo(200);
    followToTheEnd(stop.json().asText());
    assertThat(
            client
                .call(adminB, "GET", "/request/" + stop.json().asText() + "/status", null)
                .json()
                .get("details")
                .asText())
        .isEqualTo("stopped");
    // when
    Answer start = client.call(adminB, "POST", "/origin/ops/start/" + NODE, "{}");
    // then
    assertThat(start.status()).as(start.body()).isEqualTo(200);
    followToTheEnd(start.json().asText());
    assertAnswersCql();
  }

  /**
   * Polls the request's status on both instances until it ends; every answer must be a status.
   *
   * @return the states seen
   */
  private Set<String> followToTheEnd(String id) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> answers = new ArrayList<>();
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              boolean ended = true;
              for (String admin : List.of(adminA, adminB)) {
                Answer status = client.call(admin, "GET", "/request/" + id + "/status", null);
                answers.add(admin + " " + status.status() + " " + status.body());
                assertThat(status.status()).as(answers.toString()).isEqualTo(200);
                String state = status.json().get("state").asText();
                seen.add(state);
                ended &= !state.equals("running");
              }
              return ended;
            });
    assertThat(seen).as(answers.toString()).doesNotContain("error");
    return seen;
  }

  private static void assertAnswersCql() {
    try (CqlSession direct = CassandraClusters.directSession(NODE)) {
      assertThat(direct.execute("SELECT release_version FROM system.local").one()).isNotNull();
    }
  }

  private static Map<String, String> topology(int index) {
    return ScriptedNodes.topology(index, FERRY_A, FERRY_B);
  }
}
