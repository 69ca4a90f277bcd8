package io.ferry.server;

import static io.ferry.server.AdminClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.server.AdminClient.Answer;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The admin API's node and cluster operations against a real two-node, single-token Cassandra
 * cluster (origin, 127.0.0.101 and .102, deliberately unbalanced) behind two Ferry instances
 * (127.0.0.105 and .106, one fleet) in front of it and the shared target node. Node processes are
 * driven by the nodes' own start and stop scripts, as a service manager's commands would.
 */
@WithCassandraClusters
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminOperationsIT {

  private static final String NODE1 = "127.0.0.101";
  private static final String NODE2 = "127.0.0.102";
  private static final String FERRY_A = "127.0.0.105";
  private static final String FERRY_B = "127.0.0.106";
  private static final String FERRY_C = "127.0.0.107";
  private static final String TOKEN1 = "-9223372036854775808";
  private static final String TOKEN2 = "-9000000000000000000";

  private final AdminClient client = new AdminClient();
  private ScriptedNodes nodes;
  private int cqlPort;
  private ScriptedNodes.Ferry ferryA;
  private String adminA;
  private String adminB;
  private CqlSession direct;

  @BeforeAll
  void start(CassandraClusters clusters) throws Exception {
    nodes = new ScriptedNodes(clusters, "admin-ops");
    nodes.start(clusters.nodeSpec(NODE1, "ops").seeds(List.of(NODE1)).initialToken(TOKEN1).build());
    nodes.start(clusters.nodeSpec(NODE2, "ops").seeds(List.of(NODE1)).initialToken(TOKEN2).build());
    nodes.writeFerryConfig();
    cqlPort = LocalPorts.freePort();
    ferryA = nodes.startFerry(FERRY_A, cqlPort, topology(0));
    adminA = ferryA.admin();
    adminB = nodes.startFerry(FERRY_B, cqlPort, topology(1)).admin();
    direct = CassandraClusters.directSession(NODE1);
    direct.execute(
        "CREATE KEYSPACE IF NOT EXISTS ops_it WITH replication ="
            + " {'class': 'SimpleStrategy', 'replication_factor': 2}");
    direct.execute("CREATE TABLE IF NOT EXISTS ops_it.t (k int PRIMARY KEY, v text)");
    direct.checkSchemaAgreement();
    // Writes through Ferry go to target too.
    try (CqlSession target = CassandraClusters.directSession(CassandraClusters.TARGET_ADDRESS)) {
      target.execute(
          "CREATE KEYSPACE IF NOT EXISTS ops_it WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      target.execute("CREATE TABLE IF NOT EXISTS ops_it.t (k int PRIMARY KEY, v text)");
    }
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
  void should_list_origin_and_target_as_the_managed_clusters() throws Exception {
    // when
    Answer answer = call(adminA, "GET", "/cluster-configs", null);
    // then
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().fieldNames()).toIterable().containsExactly("origin", "target");
    assertThat(answer.json().at("/origin/cassandra/seed_hosts").asText()).contains(NODE1, NODE2);
    assertThat(answer.json().at("/origin/jmx/port").asInt()).isEqualTo(7199);
  }

  @Test
  @Order(2)
  void should_refuse_bad_requests_naming_the_bad_value_before_anything_runs() throws Exception {
    assertError(
        call(adminA, "POST", "/origin/ops/flush/127.0.0.99/ops_it", null), 400, "127.0.0.99");
    assertError(call(adminA, "POST", "/origin/ops/flush/" + NODE1 + "/nope", null), 400, "nope");
    assertError(
        call(adminA, "POST", "/origin/ops/flush/" + NODE1 + "/ops_it", "[\"t\", \"ghost\"]"),
        400,
        "ops_it.ghost");
    assertError(
        call(adminA, "POST", "/origin/ops/repair/" + NODE1 + "/ops_it", "{\"is_sequential\": 3}"),
        400,
        "is_sequential");
    assertError(call(adminA, "GET", "/elsewhere/ops/gc/" + NODE1, null), 404, "elsewhere");
    assertError(
        call(
            adminA,
            "POST",
            "/origin/ops",
            "{\"ips\": [\"" + NODE1 + "\"], \"action\": \"explode\"}"),
        400,
        "explode");
    assertError(
        call(adminA, "POST", "/origin/ops", "{\"ips\": [\"10.1.1.1\"], \"action\": \"flush\"}"),
        400,
        "10.1.1.1");
    assertError(call(adminA, "PUT", "/origin/ops/move/" + NODE1, "\"north\""), 400, "north");
    assertError(call(adminA, "GET", "/origin/request/restore", null), 501, "restore");
    assertError(call(adminA, "GET", "/origin/request/sideways", null), 400, "sideways");
    assertError(
        call(adminA, "GET", "/request/" + UUID.randomUUID() + "/status", null), 404, "no request");
    assertError(call(adminA, "GET", "/request/not-a-uuid/status", null), 400, "not-a-uuid");
  }

  @Test
  @Order(3)
  void should_flush_compact_and_cleanup_sstables_as_jmx_reports_them() throws Exception {
    // given rows in memtables only
    writeRows(0, 200);
    assertThat(liveSSTables(NODE1)).isZero();
    // when flushed, twice
    assertNullAnswer(call(adminA, "POST", "/origin/ops/flush/" + NODE1 + "/ops_it", "[\"t\"]"));
    writeRows(200, 400);
    assertNullAnswer(call(adminA, "POST", "/origin/ops/flush/" + NODE1 + "/ops_it", "[\"t\"]"));
    // then
    assertThat(liveSSTables(NODE1)).isEqualTo(2);
    // when compacted
    assertNullAnswer(call(adminA, "POST", "/origin/ops/compact/" + NODE1 + "/ops_it", "[]"));
    assertThat(liveSSTables(NODE1)).isEqualTo(1);
    // and cleaned up (all keyspaces), and the history lists it
    assertNullAnswer(call(adminA, "POST", "/origin/ops/cleanup/" + NODE1 + "/ops_it", null));
    Answer latest = call(adminB, "GET", "/origin/request/cleanup", null);
    assertThat(latest.status()).isEqualTo(200);
    JsonNode status =
        call(adminB, "GET", "/request/" + latest.json().asText() + "/status", null).json();
    assertThat(status.get("state").asText()).isEqualTo("success");
    assertThat(status.get("cluster_id").asText()).isEqualTo("origin");
  }

  @Test
  @Order(4)
  void should_answer_null_to_gc_and_repair() throws Exception {
    assertNullAnswer(call(adminA, "GET", "/origin/ops/gc/" + NODE2, null));
    assertNullAnswer(
        call(
            adminA,
            "POST",
            "/origin/ops/repair/" + NODE1 + "/ops_it",
            "{\"is_sequential\": false, \"cfs\": [\"t\"]}"));
  }

  @Test
  @Order(5)
  void should_propose_and_execute_the_moves_that_balance_the_ring() throws Exception {
    // when
    Answer proposed = call(adminA, "GET", "/origin/ops/rebalance", null);
    // then node 2 belongs halfway round the ring
    assertThat(proposed.status()).isEqualTo(200);
    assertThat(proposed.json().toString()).isEqualTo("[[\"0\",\"" + NODE2 + "\"]]");
    // when
    Answer started =
        call(adminA, "POST", "/origin/ops/rebalance?sleep=0", proposed.json().toString());
    assertThat(started.status()).isEqualTo(200);
    JsonNode done = awaitEnd(adminB, started.json().asText(), Duration.ofMinutes(3));
    // then
    System.out.printf("rebalance:%n%s%n", done.toPrettyString());
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("success");
    assertThat(done.get("moves").toString())
        .isEqualTo(
            "[{\"status\":\"success\",\"ip\":\""
                + NODE2
                + "\",\"old\":\""
                + TOKEN2
                + "\",\"new\":\"0\"}]");
    assertThat(call(adminA, "GET", "/origin/ops/rebalance", null).json().toString())
        .isEqualTo("[]");
    assertThat(call(adminB, "GET", "/origin/request/rebalance?list_all=1", null).json().toString())
        .contains(started.json().asText());
    // when node 2 moves on its own, a quarter of the ring further
    Answer move = call(adminB, "PUT", "/origin/ops/move/" + NODE2, "\"4611686018427387904\"");
    // then
    assertThat(move.status()).as(move.body()).isEqualTo(200);
    JsonNode moved = awaitEnd(adminA, move.json().asText(), Duration.ofMinutes(3));
    assertThat(moved.get("state").asText()).as(moved.toString()).isEqualTo("success");
    assertThat(moved.get("details").asText())
        .isEqualTo("moved from token 0 to 4611686018427387904");
    assertThat(jmxAttribute(NODE2, "org.apache.cassandra.db:type=StorageService", "Tokens"))
        .isEqualTo(List.of("4611686018427387904"));
  }

  @Test
  @Order(6)
  void should_drain_a_node_then_restart_it_refusing_a_conflicting_operation() throws Exception {
    // when
    assertNullAnswer(call(adminA, "GET", "/origin/ops/drain/" + NODE2, null));
    // then
    assertThat(jmxAttribute(NODE2, "org.apache.cassandra.db:type=StorageService", "Drained"))
        .isEqualTo(true);
    // when restarted
    Answer restart =
        call(adminA, "POST", "/origin/ops/restart/" + NODE2, "{\"wait_for_cassandra\": true}");
    assertThat(restart.status()).isEqualTo(200);
    // then a second operation on that node is refused (across instances too when the lease table
    // has a quorum; with node 2 drained it has not, and each instance guards its own operations)
    assertError(call(adminA, "POST", "/origin/ops/stop/" + NODE2, null), 409, "busy");
    JsonNode done = awaitEnd(adminA, restart.json().asText(), Duration.ofMinutes(3));
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("success");
    assertThat(jmxAttribute(NODE2, "org.apache.cassandra.db:type=StorageService", "Drained"))
        .isEqualTo(false);
  }

  @Test
  @Order(7)
  void should_rolling_restart_both_nodes_under_load_without_a_failed_request() throws Exception {
    // given a workload through the Ferry fleet, at consistency ONE
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger requests = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(new InetSocketAddress(FERRY_A, cqlPort))
            .withLocalDatacenter("datacenter1")
            .withConfigLoader(
                DriverConfigLoader.programmaticBuilder()
                    .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                    .withDuration(
                        DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                    .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1))
                    .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                    .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "ONE")
                    .build())
            .build()) {
      PreparedStatement insert = session.prepare("INSERT INTO ops_it.t (k, v) VALUES (?, ?)");
      PreparedStatement select = session.prepare("SELECT v FROM ops_it.t WHERE k = ?");
      Thread workload =
          new Thread(
              () -> {
                int k = 10_000;
                while (running.get()) {
                  try {
                    session.execute(insert.bind(k, "v" + k));
                    session.execute(select.bind(k));
                    requests.addAndGet(2);
                    k++;
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                }
              },
              "admin-it-workload");
      workload.start();
      // when (the pause lets drivers' connections go back to the node just restarted: Ferry recalls
      // them from their fallback node every two seconds, once idle)
      Answer started =
          call(adminA, "POST", "/origin/ops/restart", "{\"sleep\": 25, \"drain_first\": true}");
      assertThat(started.status()).as(started.body()).isEqualTo(200);
      String id = started.json().asText();
      // then a second rolling restart is refused, on any instance: 409 naming the running one, or
      // 503 while a node is down and the lease table has no quorum to say so
      assertError(call(adminA, "POST", "/origin/ops/restart", "{}"), 409, id);
      assertThat(call(adminB, "POST", "/origin/ops/restart", "{}").status()).isIn(409, 503);
      assertThat(call(adminB, "GET", "/origin/request/rolling-restart?list_all=1", null).json())
          .hasSize(1);
      assertThat(call(adminB, "GET", "/origin/request/rolling-restart", null).json().asText())
          .isEqualTo(id);
      JsonNode done = awaitEnd(adminB, id, Duration.ofMinutes(6));
      Thread.sleep(2000);
      running.set(false);
      workload.join();
      assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("success");
      assertThat(done.get("details").size()).isEqualTo(2);
      assertThat(requests.get()).isGreaterThan(100);
      assertThat(failures).as("failed client requests").isEmpty();
      System.out.printf(
          "rolling restart of 2 nodes under load: %d requests, %d failed%n%s%n",
          requests.get(), failures.size(), done.toPrettyString());
    }
  }

  @Test
  @Order(8)
  void should_cancel_a_bulk_operation_between_its_steps() throws Exception {
    // given a rolling flush of both nodes, 30 s apart, past its first step
    String id =
        flushBothNodesPastTheFirst(
            adminA, "\"is_rolling\": true, \"sleep\": 30, \"args\": [\"ops_it\", \"t\"]");
    // when cancelled through the other instance
    assertNullAnswer(call(adminB, "POST", "/request/" + id + "/cancel", null));
    // then
    JsonNode done = awaitEnd(adminA, id, Duration.ofSeconds(30));
    assertThat(done.get("state").asText()).isEqualTo("error");
    assertThat(done.get("error_message").asText()).contains("cancelled");
    List<String> steps = new ArrayList<>();
    done.get("details")
        .forEach(
            step -> steps.add(step.get("state").asText() + " " + step.get("details").asText()));
    assertThat(steps).containsExactly("success flushed ops_it [t]", "error not run: cancelled");
    assertError(call(adminA, "POST", "/request/" + id + "/cancel", null), 409, "ended");
    assertThat(
            call(adminB, "GET", "/origin/request/bulk-operations?list_all=1", null)
                .json()
                .toString())
        .contains(id);
  }

  @Test
  @Order(9)
  void should_resume_a_job_on_another_instance_when_its_instance_stops() throws Exception {
    // given a rolling flush started on instance A, which stops after the first step
    String id = flushBothNodesPastTheFirst(adminA, "\"sleep\": 10, \"args\": [\"ops_it\"]");
    // when
    nodes.stop(ferryA);
    // then instance B takes the job over once its lease has expired, and finishes it
    JsonNode done = awaitEnd(adminB, id, Duration.ofMinutes(1));
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("success");
    done.get("details")
        .forEach(step -> assertThat(step.get("state").asText()).isEqualTo("success"));
  }

  @Test
  @Order(10)
  void should_fence_a_paused_instance_whose_job_another_instance_took_over() throws Exception {
    // given a rolling flush started on instance C (a process of its own), past its first step
    ScriptedNodes.FerryProcess ferryC = nodes.launchFerry(FERRY_C, cqlPort, "ferry-c.log");
    String id = flushBothNodesPastTheFirst(ferryC.admin(), "\"sleep\": 15, \"args\": [\"ops_it\"]");
    // when C is paused (SIGSTOP) in the pause between its steps
    ferryC.signal("STOP");
    JsonNode done;
    try {
      // then instance B takes the job over once C's lease has expired, and finishes it
      done = awaitEnd(adminB, id, Duration.ofMinutes(1));
    } finally {
      ferryC.signal("CONT");
    }
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("success");
    // and C, resumed, finds its lease taken and does not act: the job stays as B ended it
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Files.readString(nodes.directory().resolve("ferry-c.log"))
                    .contains("lost the lease of a job"));
    Thread.sleep(2000);
    assertThat(call(adminB, "GET", "/request/" + id + "/status", null).json()).isEqualTo(done);
  }

  // -----------------------------------------------------------------------------------------------

  /** The states of a job's steps, in order, as {@code admin} answers them. */
  private List<String> stepStates(String admin, String id) throws Exception {
    List<String> states = new ArrayList<>();
    call(admin, "GET", "/request/" + id + "/status", null)
        .json()
        .get("details")
        .forEach(step -> states.add(step.get("state").asText()));
    return states;
  }

  /** The two instances present themselves to drivers as a two-node cluster. */
  private static Map<String, String> topology(int index) {
    return ScriptedNodes.topology(index, FERRY_A, FERRY_B);
  }

  /**
   * Starts a bulk flush of both nodes on the instance at {@code admin}, with these further fields
   * of its body, and waits until its first step has succeeded.
   *
   * @return the request id
   */
  private String flushBothNodesPastTheFirst(String admin, String fields) throws Exception {
    Answer started =
        call(
            admin,
            "POST",
            "/origin/ops",
            "{\"ips\": [\""
                + NODE1
                + "\", \""
                + NODE2
                + "\"], \"action\": \"flush\", "
                + fields
                + "}");
    assertThat(started.status()).as(started.body()).isEqualTo(200);
    String id = started.json().asText();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> stepStates(admin, id).get(0).equals("success"));
    return id;
  }

  private void writeRows(int from, int to) {
    PreparedStatement insert = direct.prepare("INSERT INTO ops_it.t (k, v) VALUES (?, ?)");
    for (int k = from; k < to; k++) {
      direct.execute(insert.bind(k, "row " + k).setConsistencyLevel(ConsistencyLevel.ALL));
    }
  }

  private JsonNode awaitEnd(String admin, String id, Duration timeout) {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              last[0] = call(admin, "GET", "/request/" + id + "/status", null).json();
              return !last[0].path("state").asText().equals("running");
            });
    return last[0];
  }

  private long liveSSTables(String node) throws Exception {
    return ((Number)
            jmxAttribute(
                node,
                "org.apache.cassandra.metrics:type=Table,keyspace=ops_it,scope=t,name=LiveSSTableCount",
                "Value"))
        .longValue();
  }

  private static Object jmxAttribute(String node, String objectName, String attribute)
      throws Exception {
    JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + node + ":7199/jmxrmi");
    try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
      return connector
          .getMBeanServerConnection()
          .getAttribute(new ObjectName(objectName), attribute);
    }
  }

  private Answer call(String admin, String method, String path, String body) throws Exception {
    return client.call(admin, method, path, body);
  }

  private static void assertNullAnswer(Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("null");
  }
}
