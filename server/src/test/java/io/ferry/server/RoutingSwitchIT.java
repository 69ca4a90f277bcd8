package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The primary cluster switched at runtime through the admin API, under load. */
@WithCassandraClusters
class RoutingSwitchIT {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void should_move_reads_to_target_without_a_failed_request(CassandraClusters clusters)
      throws Exception {
    LocalPorts ports = LocalPorts.allocate();
    try (FerryServer ferry = FerryServer.create(FerryServer.loadConfig(null, ports.environment()));
        CqlSession target = CassandraClusters.directSession(CassandraClusters.TARGET_ADDRESS)) {
      ferry.start().get(60, TimeUnit.SECONDS);
      CqlSession session =
          CqlSession.builder()
              .addContactPoint(new InetSocketAddress("127.0.0.1", ports.cql()))
              .withLocalDatacenter("datacenter1")
              .build();
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS routing_switch WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS routing_switch.t (k int PRIMARY KEY, v text)");
      // a row that only target has, to see where reads come from
      target.execute("INSERT INTO routing_switch.t (k, v) VALUES (-1, 'target only')");
      PreparedStatement insert =
          session.prepare("INSERT INTO routing_switch.t (k, v) VALUES (?, ?)");
      PreparedStatement select = session.prepare("SELECT v FROM routing_switch.t WHERE k = ?");
      assertThat(session.execute(select.bind(-1)).one()).isNull();

      // given a running workload
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger requests = new AtomicInteger();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      ExecutorService workload = Executors.newFixedThreadPool(4);
      for (int thread = 0; thread < 4; thread++) {
        int offset = thread * 1_000_000;
        workload.submit(
            () -> {
              for (int k = offset; running.get(); k++) {
                try {
                  session.execute(insert.bind(k, "v" + k));
                  session.execute(select.bind(k));
                  requests.addAndGet(2);
                } catch (Throwable e) {
                  failures.add(e);
                }
              }
            });
      }
      Thread.sleep(1000);

      // when the primary is switched to target
      HttpResponse<String> switched = put(ports, "{\"primary_cluster\": \"TARGET\"}");
      Thread.sleep(1000);
      running.set(false);
      workload.shutdown();
      assertThat(workload.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      // then no request failed, and reads now come from target (prepared before the switch too)
      assertThat(switched.statusCode()).isEqualTo(200);
      assertThat(switched.body())
          .isEqualTo(
              "{\"primary_cluster\":\"TARGET\",\"read_mode\":\"PRIMARY_ONLY\","
                  + "\"system_queries_mode\":\"ORIGIN\"}");
      assertThat(requests.get()).isGreaterThan(100);
      assertThat(failures).isEmpty();
      Row prepared = session.execute(select.bind(-1)).one();
      Row simple = session.execute("SELECT v FROM routing_switch.t WHERE k = -1").one();
      assertThat(prepared.getString("v")).isEqualTo("target only");
      assertThat(simple.getString("v")).isEqualTo("target only");
      assertThat(get(ports).body()).contains("\"primary_cluster\":\"TARGET\"");
      session.close();
    }
  }

  @Test
  void should_refuse_a_bad_routing_change_with_a_json_error(CassandraClusters clusters)
      throws Exception {
    LocalPorts ports = LocalPorts.allocate();
    try (FerryServer ferry =
        FerryServer.create(FerryServer.loadConfig(null, ports.environment()))) {
      ferry.start().get(60, TimeUnit.SECONDS);
      // when
      HttpResponse<String> badValue = put(ports, "{\"primary_cluster\": \"BOTH\"}");
      HttpResponse<String> unknownField = put(ports, "{\"reads\": \"ALL\"}");
      HttpResponse<String> badMode = put(ports, "{\"read_mode\": \"ALL\"}");
      HttpResponse<String> notJson = put(ports, "primary=target");
      // then
      assertThat(badValue.statusCode()).isEqualTo(400);
      assertThat(badValue.body())
          .contains("primary_cluster: \\\"BOTH\\\" (expected: \\\"ORIGIN\\\" or \\\"TARGET\\\")");
      assertThat(unknownField.statusCode()).isEqualTo(400);
      assertThat(unknownField.body()).contains("unknown field reads");
      assertThat(badMode.statusCode()).isEqualTo(400);
      assertThat(badMode.body()).contains("read_mode: \\\"ALL\\\" (expected:");
      assertThat(notJson.statusCode()).isEqualTo(400);
      assertThat(notJson.body()).contains("malformed JSON body");
      assertThat(get(ports).body()).contains("\"primary_cluster\":\"ORIGIN\"");
    }
  }

  private HttpResponse<String> put(LocalPorts ports, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.admin() + "/proxy/routing"))
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(LocalPorts ports) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.admin() + "/proxy/routing"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
