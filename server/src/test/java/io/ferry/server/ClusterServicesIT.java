package io.ferry.server;

import static io.ferry.server.AdminClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.data.UdtValue;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.server.AdminClient.Answer;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The repair service and NodeSync against a real two-node Cassandra cluster (origin, 127.0.0.121
 * and .122, RF 2, hinted handoff off) whose replicas are made to disagree on purpose: rows written
 * at CL ONE while the second node is down exist on the first node only, until the repair service
 * (table {@code svc.repaired}) or NodeSync's validator (table {@code svc.synced}) brings them back
 * in sync. Nodes are read one by one at CL ONE: with GossipingPropertyFileSnitch and no dynamic
 * snitch, a node serves such a read from its own replica.
 */
@WithCassandraClusters
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterServicesIT {

  private static final String NODE1 = "127.0.0.121";
  private static final String NODE2 = "127.0.0.122";
  private static final String FERRY_A = "127.0.0.125";
  private static final String FERRY_B = "127.0.0.126";
  private static final int ROWS = 200;

  private final AdminClient client = new AdminClient();
  private ScriptedNodes nodes;
  private ScriptedNodes.Ferry ferry;
  private CqlSession direct;

  @BeforeAll
  void start(CassandraClusters clusters) throws Exception {
    nodes = new ScriptedNodes(clusters, "cluster-services");
    Path rackdc = nodes.directory().resolve("cassandra-rackdc.properties");
    Files.writeString(rackdc, "dc=datacenter1\nrack=rack1\n");
    for (String address : List.of(NODE1, NODE2)) {
      nodes.start(
          clusters
              .nodeSpec(address, "svc")
              .seeds(List.of(NODE1))
              .initialToken(address.equals(NODE1) ? Long.toString(Long.MIN_VALUE) : "0")
              .yaml("hinted_handoff_enabled", "false")
              .yaml("endpoint_snitch", "GossipingPropertyFileSnitch")
              .addJvmOptions("-Dcassandra-rackdc.properties=" + rackdc.toUri())
              .build());
    }
    nodes.writeFerryConfig(
        "ferry.admin.repair.segments-per-node = 2",
        "ferry.admin.repair.cluster-stabilization-period = 5 seconds",
        "ferry.admin.nodesync.min-validation-interval = 15 seconds",
        "ferry.admin.nodesync.max-request-tables = 3");
    direct = CassandraClusters.directSession(NODE1);
    direct.execute(
        "CREATE KEYSPACE svc WITH replication = {'class': 'SimpleStrategy', 'replication_factor':"
            + " 2}");
    for (String table : List.of("repaired", "synced", "extra1", "extra2")) {
      direct.execute(
          "CREATE TABLE svc."
              + table
              + " (k int PRIMARY KEY, v text) WITH speculative_retry = 'NEVER'");
    }
    direct.execute(
        "CREATE KEYSPACE single WITH replication = {'class': 'SimpleStrategy',"
            + " 'replication_factor': 1}");
    direct.execute("CREATE TABLE single.t (k int PRIMARY KEY)");
    direct.checkSchemaAgreement();
    startFerry(FERRY_A);
  }

  private void startFerry(String address) throws Exception {
    ferry =
        nodes.startFerry(
            address,
            LocalPorts.freePort(),
            Map.of(
                "FERRY_NODE_START_COMMAND",
                nodes.startCommand(),
                "FERRY_NODE_STOP_COMMAND",
                nodes.stopCommand()));
  }

  @AfterAll
  void stop() throws Exception {
    if (direct != null) {
      direct.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  @Order(1)
  void should_refuse_bad_requests_with_errors_naming_what_was_wrong() throws Exception {
    // svc.* is four tables, over the limit of three
    Answer tooMany = call("POST", "/origin/nodesync", "{\"enable\": [\"svc.*\"]}");
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.body())
        .isEqualTo(
            "{\"brief\":\"error\",\"message\":\"Please select fewer tables and try again. To"
                + " maximize performance, OpsCenter has been configured to limit the number of"
                + " concurrent updates to 3 tables. The total number of tables to process in this"
                + " request, after expanding wild card selectors, was 4.\","
                + "\"type\":\"InvalidArguments\"}");
    assertError(
        call("POST", "/origin/nodesync", "{\"incremental\": [\"svc.synced\"]}"),
        400,
        "not supported");
    assertError(call("POST", "/origin/nodesync", "{\"enable\": [\"single.t\"]}"), 400, "single.t");
    assertError(call("POST", "/origin/nodesync", "{\"enable\": [\"svc.nope\"]}"), 400, "svc.nope");
    assertError(call("POST", "/origin/services/repair", "{}"), 400, "time_to_completion");
    assertError(
        call("POST", "/origin/services/repair", "{\"time_to_completion\": 10}"), 400, "too short");
    assertError(call("GET", "/origin/repair-details?table=repaired", null), 400, "keyspace");
    assertError(call("GET", "/origin/repair-details?keyspace=nope", null), 400, "nope");
    assertError(call("GET", "/origin/nodesync/summary/table?page=0", null), 400, "page: 0");
    assertError(call("GET", "/origin/nodesync/summary/table?page=2", null), 404, "last page (1");
    assertError(call("GET", "/origin/nodesync/summary/table/nope", null), 400, "nope");
    assertError(call("GET", "/elsewhere/services", null), 404, "elsewhere");
  }

  @Test
  @Order(2)
  void should_list_tables_nodesync_may_validate_and_those_it_may_not() throws Exception {
    // when
    JsonNode status = ok(call("GET", "/origin/nodesync", null));
    // then
    assertThat(status.get("status").asBoolean()).isTrue();
    assertThat(status.get("supports_incremental").asBoolean()).isFalse();
    assertThat(texts(status.get("disabled")))
        .containsExactly("svc.extra1", "svc.extra2", "svc.repaired", "svc.synced");
    assertThat(texts(status.get("enabled"))).isEmpty();
    assertThat(texts(status.at("/ineligible/rf1"))).containsExactly("single.t");
    assertThat(texts(status.at("/ineligible/system"))).contains("system.local");
    JsonNode services = ok(call("GET", "/origin/services", null));
    assertThat(services.at("/repair/status/status").asBoolean()).isFalse();
  }

  @Test
  @Order(3)
  void should_bring_diverged_replicas_in_sync_with_the_repair_service() throws Exception {
    // given NodeSync on svc.synced (so the repair service leaves it alone) and replicas that
    // disagree
    assertThat(call("POST", "/origin/nodesync", "{\"enable\": [\"svc.synced\"]}").body())
        .isEqualTo("true");
    diverge();
    assertThat(countOn(NODE1, "repaired")).isEqualTo(ROWS);
    assertThat(countOn(NODE2, "repaired")).isZero();
    // when
    JsonNode started = ok(call("POST", "/origin/services/repair", "{\"time_to_completion\": 60}"));
    // then
    assertThat(started.get("status").asBoolean()).isTrue();
    assertThat(started.at("/parameters/time_to_completion").asLong()).isEqualTo(60);
    assertError(
        call("POST", "/origin/services/repair", "{\"time_to_completion\": 120}"),
        409,
        "turn it off");
    JsonNode finished =
        awaitAnswer(
            "/origin/repair-status",
            Duration.ofMinutes(4),
            Duration.ofSeconds(2),
            status ->
                status.get("cycle").asInt() == 1
                    && status.at("/overview/total").asInt() > 0
                    && status.at("/overview/completed").asInt()
                        == status.at("/overview/total").asInt());
    System.out.println("repair-status at the end of cycle 1: " + finished.toPrettyString());
    assertThat(countOn(NODE2, "repaired")).isEqualTo(ROWS);
    // 3 tables (svc.synced is under NodeSync, single.t has one replica) x 2 nodes x 2 per node
    assertThat(finished.at("/overview/total").asInt()).isEqualTo(12);
    assertThat(finished.at("/overview/failed").asInt()).isZero();
    assertThat(finished.at("/subrange/job_state").asText()).isEqualTo("success");
    assertThat(finished.at("/subrange/throughput").asDouble()).isPositive();
    assertThat(finished.at("/overview/repair_times/max").asDouble())
        .isGreaterThanOrEqualTo(finished.at("/overview/repair_times/min").asDouble());
    assertThat(finished.get("details").has("svc.synced")).isFalse();
    assertThat(finished.at("/details/svc.repaired/state/success").asInt()).isEqualTo(4);
    JsonNode details = ok(call("GET", "/origin/repair-details?keyspace=svc&table=repaired", null));
    System.out.println("repair-details of svc.repaired: " + details.toPrettyString());
    assertThat(details).hasSize(4);
    assertThat(details.get(0).get("type").asText()).isEqualTo("subrange");
    assertThat(details.get(0).get("repair_range")).hasSize(2);
    JsonNode services = ok(call("GET", "/origin/services", null));
    assertThat(services.at("/repair/status/status").asBoolean()).isTrue();
    assertThat(services.at("/repair/progress/total").asInt()).isPositive();
  }

  @Test
  @Order(4)
  void should_find_and_repair_disagreeing_replicas_with_nodesync() throws Exception {
    // when the validator gets to svc.synced again (its rows are on NODE1 only since test 3)
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> countOn(NODE2, "synced") == ROWS);
    // then its outcomes are recorded as DSE records them, a repair among them
    assertThat(repairedByNodeSync()).isPositive();
    List<Integer> outcomes = new ArrayList<>();
    for (Row row :
        direct.execute(
            "SELECT last_successful_validation FROM ferry.nodesync_status WHERE keyspace_name ="
                + " 'svc' AND table_name = 'synced' ALLOW FILTERING")) {
      UdtValue validation = row.getUdtValue(0);
      if (validation != null) {
        outcomes.add((int) validation.getByte("outcome"));
      }
    }
    // full_repaired, or full_in_sync when validated again since (every min-validation-interval)
    assertThat(outcomes).hasSize(2).allSatisfy(outcome -> assertThat(outcome).isIn(0, 1));
    JsonNode summary =
        awaitAnswer(
            "/origin/nodesync/summary",
            Duration.ofMinutes(2),
            Duration.ofSeconds(2),
            json -> json.at("/segment_sync_counts/0").asInt() == 2);
    System.out.println("NodeSync summary: " + summary.toPrettyString());
    assertThat(summary.get("segment_sync_percentages").toString()).isEqualTo("[100.0,0.0,0.0,0.0]");
    assertThat(summary.get("last_updated").asLong()).isPositive();
    JsonNode status = ok(call("GET", "/origin/nodesync", null));
    assertThat(texts(status.get("enabled"))).containsExactly("svc.synced");
    assertThat(texts(status.get("pending"))).isEmpty();
    JsonNode keyspaces = ok(call("GET", "/origin/nodesync/summary/keyspace", null));
    assertThat(keyspaces.get("count").asInt()).isEqualTo(1);
    assertThat(keyspaces.at("/results/0/keyspace").asText()).isEqualTo("svc");
    // and pagination: a second table makes two pages of one
    assertThat(call("POST", "/origin/nodesync", "{\"enable\": [\"svc.extra1\"]}").body())
        .isEqualTo("true");
    JsonNode second = ok(call("GET", "/origin/nodesync/summary/table?page=2&per_page=1", null));
    System.out.println("NodeSync table summary, page 2: " + second.toPrettyString());
    assertThat(second.get("count").asInt()).isEqualTo(2);
    assertThat(second.get("current").asInt()).isEqualTo(2);
    assertThat(second.get("last").asInt()).isEqualTo(2);
    assertThat(second.get("previous").asInt()).isEqualTo(1);
    assertThat(second.get("next").isNull()).isTrue();
    assertThat(second.at("/proximate/previous").asInt()).isEqualTo(1);
    assertThat(second.at("/results/0/table").asText()).isEqualTo("synced");
    assertThat(second.at("/results/0/keyspace").asText()).isEqualTo("svc");
    JsonNode inKeyspace = ok(call("GET", "/origin/nodesync/summary/table/svc?per_page=5", null));
    assertThat(inKeyspace.get("last").asInt()).isEqualTo(1);
    assertThat(inKeyspace.at("/results/0/table").asText()).isEqualTo("extra1");
    assertThat(inKeyspace.at("/results/0").has("keyspace")).isFalse();
    assertThat(call("POST", "/origin/nodesync", "{\"disable\": [\"svc.extra1\"]}").body())
        .isEqualTo("true");
  }

  @Test
  @Order(5)
  void should_resume_the_current_cycle_on_another_instance_when_ferry_stops() throws Exception {
    // given the service on again with a slower pace, some way into a cycle
    ok(call("DELETE", "/origin/services/repair", null));
    ok(call("POST", "/origin/services/repair", "{\"time_to_completion\": 90}"));
    JsonNode before =
        awaitAnswer(
            "/origin/repair-status",
            Duration.ofMinutes(3),
            Duration.ofSeconds(1),
            status ->
                status.at("/overview/completed").asInt() >= 1
                    && status.at("/overview/remaining").asInt() >= 4);
    int cycle = before.get("cycle").asInt();
    int completed = before.at("/overview/completed").asInt();
    // when Ferry stops and another instance starts
    nodes.stop(ferry);
    startFerry(FERRY_B);
    // then the new instance takes the service over and goes on with the same cycle
    JsonNode after =
        awaitAnswer(
            "/origin/repair-status",
            Duration.ofMinutes(2),
            Duration.ofSeconds(1),
            status ->
                status.get("cycle").asInt() != cycle
                    || status.at("/overview/completed").asInt() > completed + 1);
    assertThat(after.get("cycle").asInt()).isEqualTo(cycle);
    assertThat(after.get("status").asText()).isEqualTo("active");
    ok(call("DELETE", "/origin/services/repair", null));
    assertThat(ok(call("GET", "/origin/services/repair", null)).get("status").asBoolean())
        .isFalse();
  }

  /**
   * How many repairs ran on svc.synced, from Cassandra's own repair history (where preview repairs
   * are not recorded): only NodeSync repairs it, the repair service leaves it alone.
   */
  private long repairedByNodeSync() {
    long repairs = 0;
    for (Row row :
        direct.execute(
            "SELECT keyspace_name, columnfamily_names FROM"
                + " system_distributed.parent_repair_history")) {
      if ("svc".equals(row.getString(0)) && row.getSet(1, String.class).contains("synced")) {
        repairs++;
      }
    }
    return repairs;
  }

  /** Writes rows to svc.repaired and svc.synced while NODE2 is down, so only NODE1 has them. */
  private void diverge() throws Exception {
    nodes.run(NODE2, "stop");
    PreparedStatement repaired =
        direct.prepare("INSERT INTO svc.repaired (k, v) VALUES (?, 'only on the first node')");
    PreparedStatement synced =
        direct.prepare("INSERT INTO svc.synced (k, v) VALUES (?, 'only on the first node')");
    for (int k = 0; k < ROWS; k++) {
      direct.execute(repaired.bind(k).setConsistencyLevel(ConsistencyLevel.ONE));
      direct.execute(synced.bind(k).setConsistencyLevel(ConsistencyLevel.ONE));
    }
    nodes.run(NODE2, "start");
    await()
        .atMost(Duration.ofMinutes(2))
        .ignoreExceptions()
        .until(() -> countOn(NODE2, "repaired") >= 0);
  }

  /** Rows of a svc table that the node has itself (read at ONE, served by its own replica). */
  private long countOn(String address, String table) {
    Node node =
        direct.getMetadata().getNodes().values().stream()
            .filter(n -> n.getEndPoint().resolve().toString().contains(address))
            .findFirst()
            .orElseThrow();
    return direct
        .execute(
            SimpleStatement.newInstance("SELECT count(*) FROM svc." + table)
                .setNode(node)
                .setConsistencyLevel(ConsistencyLevel.ONE)
                .setTimeout(Duration.ofSeconds(20)))
        .one()
        .getLong(0);
  }

  /** GETs {@code path} until its JSON satisfies {@code until}, and returns that JSON. */
  private JsonNode awaitAnswer(
      String path, Duration atMost, Duration pollInterval, Predicate<JsonNode> until) {
    return await()
        .atMost(atMost)
        .pollInterval(pollInterval)
        .until(() -> ok(call("GET", path, null)), until);
  }

  private Answer call(String method, String path, String body) throws Exception {
    return client.call(ferry.admin(), method, path, body);
  }

  private static JsonNode ok(Answer answer) throws Exception {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }
}
