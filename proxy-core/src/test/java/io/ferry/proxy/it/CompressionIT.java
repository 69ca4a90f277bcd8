package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LZ4 and Snappy frame compression (v3, v4) with the Java driver and real nodes: the driver
 * compresses towards Ferry, Ferry towards both clusters, and everything arrives intact. A relay of
 * ours between Ferry and target counts the bytes, to prove that what Ferry sends is compressed.
 */
@WithCassandraClusters
class CompressionIT {

  private static final String RELAY_ADDRESS = "127.0.0.61";
  // Repetitive values: compression must make a clear difference on the wire.
  private static final String VALUE = "ferry compresses this value ".repeat(700);

  @BeforeAll
  static void create_schema(CassandraClusters clusters) {
    RunningProxy.executeOnBothClusters(
        "CREATE KEYSPACE IF NOT EXISTS compression WITH replication ="
            + " {'class': 'SimpleStrategy', 'replication_factor': 1}",
        "CREATE TABLE IF NOT EXISTS compression.t (k text, i int, v text, PRIMARY KEY (k, i))");
  }

  @ParameterizedTest(name = "{0} over {1}")
  @CsvSource({"lz4,V4", "snappy,V4", "lz4,V3", "snappy,V3"})
  void should_compress_frames_end_to_end(String algorithm, String protocolVersion) {
    long plain = bytesToTarget("none", protocolVersion, algorithm + "-plain-" + protocolVersion);
    long compressed = bytesToTarget(algorithm, protocolVersion, algorithm + "-" + protocolVersion);
    // ~20 KB per write uncompressed; compressed, a small fraction of it
    assertThat(compressed).isLessThan(plain / 4);
  }

  /** Writes rows through Ferry and reads them back, returning the bytes Ferry sent to target. */
  private static long bytesToTarget(String compression, String protocolVersion, String key) {
    int port = RunningProxy.freePort(RELAY_ADDRESS);
    try (DelayingRelay relay =
            new DelayingRelay(
                RELAY_ADDRESS,
                port,
                new InetSocketAddress(CassandraClusters.TARGET_ADDRESS, 9042));
        RunningProxy ferry =
            RunningProxy.start(
                Map.of(
                    "ZDM_TARGET_CONTACT_POINTS",
                    RELAY_ADDRESS,
                    "ZDM_TARGET_PORT",
                    Integer.toString(port)));
        CqlSession session =
            ferry.session(
                config ->
                    config
                        .withString(DefaultDriverOption.PROTOCOL_COMPRESSION, compression)
                        .withString(DefaultDriverOption.PROTOCOL_VERSION, protocolVersion))) {
      long before = relay.bytesToNode();
      PreparedStatement insert =
          session.prepare("INSERT INTO compression.t (k, i, v) VALUES (?, ?, ?)");
      for (int i = 0; i < 20; i++) {
        session.execute(insert.bind(key, i, VALUE + i));
      }
      long sent = relay.bytesToNode() - before;

      // every row is back, whole, through Ferry (reads from origin) and directly on target
      assertThat(
              session
                  .execute("SELECT v FROM compression.t WHERE k = ? AND i = 7", key)
                  .one()
                  .getString(0))
          .isEqualTo(VALUE + 7);
      try (CqlSession target = RunningProxy.direct(CassandraClusters.TARGET_ADDRESS)) {
        assertThat(
                target
                    .execute("SELECT count(*) FROM compression.t WHERE k = ?", key)
                    .one()
                    .getLong(0))
            .isEqualTo(20);
      }
      return sent;
    }
  }
}
