package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultProtocolVersion;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.internal.core.time.ServerSideTimestampGenerator;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetAddress;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protocol versions end to end with the Java driver against real Cassandra 5.0 nodes: native v5
 * (segments, LZ4 segment compression, frames over several segments, keyspace per request), the v5
 * policy that steers clients down to v4, and blocked versions.
 */
@WithCassandraClusters
class ProtocolVersionsIT {

  // Larger than a segment's 128 KiB payload: the frame travels over several segments.
  private static final String LARGE = "v5 segments ".repeat(30_000);

  @BeforeAll
  static void create_schema(CassandraClusters clusters) {
    RunningProxy.executeOnBothClusters(
        "CREATE KEYSPACE IF NOT EXISTS versions WITH replication ="
            + " {'class': 'SimpleStrategy', 'replication_factor': 1}",
        "CREATE TABLE IF NOT EXISTS versions.t (k uuid PRIMARY KEY, v text)");
  }

  @ParameterizedTest(name = "compression {0}")
  @ValueSource(strings = {"none", "lz4"})
  void should_speak_native_v5_end_to_end(String compression) {
    try (RunningProxy ferry = RunningProxy.start();
        CqlSession session =
            ferry.session(
                config ->
                    config
                        .withString(DefaultDriverOption.PROTOCOL_COMPRESSION, compression)
                        // no client timestamps: Ferry assigns them, into v5's int-flag parameters
                        .withClass(
                            DefaultDriverOption.TIMESTAMP_GENERATOR_CLASS,
                            ServerSideTimestampGenerator.class))) {
      // the driver negotiated v5 through Ferry
      assertThat(session.getContext().getProtocolVersion()).isEqualTo(DefaultProtocolVersion.V5);

      // prepared writes (one larger than a segment), an unlogged batch, reads
      PreparedStatement insert = session.prepare("INSERT INTO versions.t (k, v) VALUES (?, ?)");
      UUID small = UUID.randomUUID();
      UUID large = UUID.randomUUID();
      UUID batched = UUID.randomUUID();
      session.execute(insert.bind(small, "small"));
      session.execute(insert.bind(large, LARGE));
      session.execute(
          BatchStatement.newInstance(DefaultBatchType.UNLOGGED)
              .add(insert.bind(batched, "batched"))
              .add(
                  SimpleStatement.newInstance(
                      "UPDATE versions.t SET v = 'simple' WHERE k = ?", small)));
      PreparedStatement select = session.prepare("SELECT v FROM versions.t WHERE k = ?");
      assertThat(session.execute(select.bind(large)).one().getString(0)).isEqualTo(LARGE);
      assertThat(session.execute(select.bind(batched)).one().getString(0)).isEqualTo("batched");

      // every write is on both clusters, with the same write time on each
      for (UUID key : new UUID[] {small, large, batched}) {
        assertThat(writeTime(CassandraClusters.ORIGIN_ADDRESS, key))
            .as("write time of %s", key)
            .isEqualTo(writeTime(CassandraClusters.TARGET_ADDRESS, key));
      }
    }
  }

  @Test
  void should_honour_the_keyspace_a_v5_request_names_when_routing() throws Exception {
    try (RunningProxy ferry = RunningProxy.start();
        CqlSession session = ferry.session()) {
      // "local" in keyspace "system" is Ferry's virtual system.local, whatever the session's
      // keyspace: its rpc_address is Ferry's, not a node's
      Row row =
          session
              .execute(
                  SimpleStatement.newInstance("SELECT rpc_address FROM local")
                      .setKeyspace("system"))
              .one();
      assertThat(row.getInetAddress(0)).isEqualTo(InetAddress.getByName("127.0.0.1"));
    }
  }

  @Test
  void should_steer_clients_down_to_v4_when_v5_is_downgraded() {
    try (RunningProxy ferry = RunningProxy.start(Map.of("FERRY_PROTOCOL_V5", "DOWNGRADE"));
        CqlSession session = ferry.session()) {
      assertThat(session.getContext().getProtocolVersion()).isEqualTo(DefaultProtocolVersion.V4);
      assertThat(session.execute("SELECT release_version FROM system.local").one()).isNotNull();
    }
  }

  @Test
  void should_steer_clients_below_blocked_versions() {
    try (RunningProxy ferry = RunningProxy.start(Map.of("ZDM_BLOCKED_PROTOCOL_VERSIONS", "v5,4"));
        CqlSession session = ferry.session()) {
      assertThat(session.getContext().getProtocolVersion()).isEqualTo(DefaultProtocolVersion.V3);
      UUID key = UUID.randomUUID();
      session.execute("INSERT INTO versions.t (k, v) VALUES (?, 'v3')", key);
      assertThat(writeTime(CassandraClusters.TARGET_ADDRESS, key)).isPositive();
    }
  }

  private static long writeTime(String node, UUID key) {
    try (CqlSession session = RunningProxy.direct(node)) {
      Row row = session.execute("SELECT WRITETIME(v) FROM versions.t WHERE k = ?", key).one();
      assertThat(row).as("row %s on %s", key, node).isNotNull();
      return row.getLong(0);
    }
  }
}
