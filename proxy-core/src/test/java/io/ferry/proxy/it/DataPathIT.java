package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultProtocolVersion;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.Node;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java driver through Ferry to real origin and target nodes. */
@WithCassandraClusters
class DataPathIT {

  private static RunningProxy ferry;
  private static CqlSession session;
  private static CqlSession origin;
  private static CqlSession target;

  @BeforeAll
  static void start(CassandraClusters clusters) {
    ferry = RunningProxy.start();
    session = ferry.session();
    origin = RunningProxy.direct(CassandraClusters.ORIGIN_ADDRESS);
    target = RunningProxy.direct(CassandraClusters.TARGET_ADDRESS);
    session.execute(
        "CREATE KEYSPACE IF NOT EXISTS data_path WITH replication ="
            + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute("CREATE TABLE IF NOT EXISTS data_path.kv (k int PRIMARY KEY, v text)");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {session, origin, target, ferry}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // keep closing the others
      }
    }
  }

  @Test
  void should_create_schema_on_both_clusters() {
    // given the keyspace and table created through Ferry in start()
    // then
    for (CqlSession cluster : List.of(origin, target)) {
      Row row =
          cluster
              .execute(
                  "SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'data_path'"
                      + " AND table_name = 'kv'")
              .one();
      assertThat(row).isNotNull();
    }
  }

  @Test
  void should_write_simple_statements_to_both_clusters() {
    // when
    session.execute("INSERT INTO data_path.kv (k, v) VALUES (1, 'simple')");
    // then
    assertThat(valueOn(origin, 1)).isEqualTo("simple");
    assertThat(valueOn(target, 1)).isEqualTo("simple");
  }

  @Test
  void should_write_prepared_statements_to_both_clusters() {
    // given
    PreparedStatement insert = session.prepare("INSERT INTO data_path.kv (k, v) VALUES (?, ?)");
    // when
    for (int k = 10; k < 20; k++) {
      session.execute(insert.bind(k, "prepared-" + k));
    }
    // then
    for (int k = 10; k < 20; k++) {
      assertThat(valueOn(origin, k)).isEqualTo("prepared-" + k);
      assertThat(valueOn(target, k)).isEqualTo("prepared-" + k);
    }
  }

  @Test
  void should_write_batches_to_both_clusters() {
    // given
    PreparedStatement insert = session.prepare("INSERT INTO data_path.kv (k, v) VALUES (?, ?)");
    BatchStatement batch =
        BatchStatement.builder(BatchType.LOGGED)
            .addStatement(insert.bind(30, "batch-prepared"))
            .addStatement(
                com.datastax.oss.driver.api.core.cql.SimpleStatement.newInstance(
                    "INSERT INTO data_path.kv (k, v) VALUES (31, 'batch-simple')"))
            .build();
    // when
    session.execute(batch);
    // then
    for (CqlSession cluster : List.of(origin, target)) {
      assertThat(valueOn(cluster, 30)).isEqualTo("batch-prepared");
      assertThat(valueOn(cluster, 31)).isEqualTo("batch-simple");
    }
  }

  @Test
  void should_read_from_the_primary_cluster_only() {
    // given a row only on target, and a row only on origin
    target.execute("INSERT INTO data_path.kv (k, v) VALUES (40, 'only-on-target')");
    origin.execute("INSERT INTO data_path.kv (k, v) VALUES (41, 'only-on-origin')");
    PreparedStatement select = session.prepare("SELECT v FROM data_path.kv WHERE k = ?");
    // when
    Row fromTarget = session.execute("SELECT v FROM data_path.kv WHERE k = 40").one();
    Row fromOrigin = session.execute("SELECT v FROM data_path.kv WHERE k = 41").one();
    Row preparedFromTarget = session.execute(select.bind(40)).one();
    Row preparedFromOrigin = session.execute(select.bind(41)).one();
    // then
    assertThat(fromTarget).isNull();
    assertThat(preparedFromTarget).isNull();
    assertThat(fromOrigin.getString("v")).isEqualTo("only-on-origin");
    assertThat(preparedFromOrigin.getString("v")).isEqualTo("only-on-origin");
  }

  @Test
  void should_follow_the_keyspace_set_by_use() {
    // given
    try (CqlSession withKeyspace =
        ferry.session(
            config -> config.withString(DefaultDriverOption.SESSION_KEYSPACE, "data_path"))) {
      // when
      withKeyspace.execute("INSERT INTO kv (k, v) VALUES (50, 'use')");
      withKeyspace.execute("USE system");
      Row local = withKeyspace.execute("SELECT rpc_address FROM local").one();
      // then
      assertThat(valueOn(origin, 50)).isEqualTo("use");
      assertThat(valueOn(target, 50)).isEqualTo("use");
      // After USE system, an unqualified "local" is system.local, answered by Ferry.
      assertThat(local.getInetAddress("rpc_address").getHostAddress()).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void should_show_the_driver_ferry_instead_of_the_clusters_nodes() {
    // when
    Collection<Node> nodes = session.getMetadata().getNodes().values();
    // then
    assertThat(nodes).hasSize(1);
    Node node = nodes.iterator().next();
    assertThat(((InetSocketAddress) node.getEndPoint().resolve())).isEqualTo(ferry.address());
    assertThat(node.getDatacenter()).isEqualTo(RunningProxy.DATACENTER);
    assertThat(node.getRack()).isEqualTo("rack0");
    assertThat(session.getMetadata().getTokenMap()).isPresent();
    assertThat(session.getMetadata().getTokenMap().get().getTokens(node)).hasSize(8);
    Row local = session.execute("SELECT cluster_name, host_id, tokens FROM system.local").one();
    assertThat(local.getString("cluster_name")).isEqualTo(CassandraClusters.ORIGIN_CLUSTER_NAME);
    assertThat(local.getUuid("host_id")).isEqualTo(node.getHostId());
    assertThat(session.execute("SELECT * FROM system.peers").all()).isEmpty();
  }

  @Test
  void should_speak_v5_with_drivers_that_start_with_it() {
    // when a driver that starts with v5 (the default against Cassandra 5) connects
    // then every test of this class runs over native v5
    assertThat(session.getContext().getProtocolVersion()).isEqualTo(DefaultProtocolVersion.V5);
  }

  @Test
  void should_work_end_to_end_with_protocol_v3() {
    // given
    try (CqlSession v3 =
        ferry.session(config -> config.withString(DefaultDriverOption.PROTOCOL_VERSION, "V3"))) {
      PreparedStatement insert = v3.prepare("INSERT INTO data_path.kv (k, v) VALUES (?, ?)");
      // when
      v3.execute(insert.bind(60, "v3"));
      Row read = v3.execute("SELECT v FROM data_path.kv WHERE k = 60").one();
      // then
      assertThat(v3.getContext().getProtocolVersion()).isEqualTo(DefaultProtocolVersion.V3);
      assertThat(read.getString("v")).isEqualTo("v3");
      assertThat(valueOn(target, 60)).isEqualTo("v3");
    }
  }

  private static String valueOn(CqlSession cluster, int key) {
    Row row = cluster.execute("SELECT v FROM data_path.kv WHERE k = " + key).one();
    return row == null ? null : row.getString("v");
  }
}
