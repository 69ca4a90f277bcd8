package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Options;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Ready;
import com.datastax.oss.protocol.internal.response.Supported;
import com.datastax.oss.protocol.internal.response.result.Rows;
import io.ferry.proxy.scripted.RawCqlClient;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What real drivers never send: Ferry must answer it clearly and keep serving. */
@WithCassandraClusters
class ProtocolEdgeCasesIT {

  private static RunningProxy ferry;

  @BeforeAll
  static void start(CassandraClusters clusters) {
    ferry = RunningProxy.start(Map.of());
  }

  @AfterAll
  static void stop() {
    ferry.close();
  }

  private static RawCqlClient startedClient() throws Exception {
    RawCqlClient client = new RawCqlClient(ferry.address());
    client.send(4, 0, new Startup(Map.of("CQL_VERSION", "3.0.0")));
    assertThat(client.receive().message).isInstanceOf(Ready.class);
    return client;
  }

  @Test
  void should_refuse_dse_versions_of_apache_cassandra_clusters_in_a_frame_any_client_reads()
      throws Exception {
    try (RawCqlClient client = new RawCqlClient(ferry.address())) {
      // when: DSE_V1, which neither Cassandra 5 cluster speaks
      client.send(0x41, 3, new Startup(Map.of("CQL_VERSION", "3.0.0")));
      Frame answer = client.receive();
      // then
      assertThat(answer.protocolVersion).isEqualTo(4);
      assertThat(answer.streamId).isZero();
      Error error = (Error) answer.message;
      assertThat(error.code).isEqualTo(ProtocolConstants.ErrorCode.PROTOCOL_ERROR);
      assertThat(error.message)
          .isEqualTo(
              "Invalid or unsupported protocol version (65); supported versions are (3/v3, 4/v4,"
                  + " 5/v5)");
      assertThat(client.isClosedByServer()).isTrue();
    }
  }

  @Test
  void should_refuse_v2_whose_header_it_cannot_frame() throws Exception {
    try (RawCqlClient client = new RawCqlClient(ferry.address())) {
      // when: a v2 OPTIONS (8-byte header)
      client.sendRaw(
          Unpooled.buffer().writeByte(2).writeByte(0).writeByte(1).writeByte(5).writeInt(0));
      Frame answer = client.receive();
      // then
      assertThat(answer.streamId).isZero();
      assertThat(((Error) answer.message).message)
          .startsWith("Invalid or unsupported protocol version (2)");
      assertThat(client.isClosedByServer()).isTrue();
    }
  }

  @Test
  void should_answer_options_before_startup_with_what_works_through_ferry() throws Exception {
    try (RawCqlClient client = new RawCqlClient(ferry.address())) {
      // when
      client.send(4, 1, Options.INSTANCE);
      Supported supported = (Supported) client.receive().message;
      // then
      assertThat(supported.options.get("COMPRESSION")).containsExactlyInAnyOrder("lz4", "snappy");
      assertThat(supported.options.get("PROTOCOL_VERSIONS"))
          .containsExactly("3/v3", "4/v4", "5/v5");
      assertThat(supported.options).containsKey("CQL_VERSION");
    }
  }

  @Test
  void should_refuse_requests_before_startup() throws Exception {
    try (RawCqlClient client = new RawCqlClient(ferry.address())) {
      // when
      client.send(4, 2, new Query("SELECT * FROM system.local"));
      Frame answer = client.receive();
      // then
      assertThat(answer.streamId).isEqualTo(2);
      assertThat(((Error) answer.message).message)
          .isEqualTo("Unexpected message QUERY, expecting STARTUP or OPTIONS");
    }
  }

  @Test
  void should_refuse_compression_it_does_not_know() throws Exception {
    try (RawCqlClient client = new RawCqlClient(ferry.address())) {
      // when
      client.send(4, 0, new Startup(Map.of("CQL_VERSION", "3.0.0", "COMPRESSION", "zstd")));
      Error error = (Error) client.receive().message;
      // then
      assertThat(error.code).isEqualTo(ProtocolConstants.ErrorCode.PROTOCOL_ERROR);
      assertThat(error.message)
          .isEqualTo("Unknown compression algorithm zstd: Ferry supports lz4 and snappy");
    }
  }

  @Test
  void should_answer_a_negative_stream_id_with_a_protocol_error_on_stream_zero() throws Exception {
    try (RawCqlClient client = startedClient()) {
      // when
      client.send(4, -5, new Query("SELECT * FROM system.local"));
      Frame answer = client.receive();
      // then
      assertThat(answer.streamId).isZero();
      assertThat(((Error) answer.message).message).isEqualTo("negative stream id: -5");
      // and the connection still serves
      client.send(4, 7, new Query("SELECT cluster_name FROM system.local"));
      assertThat(client.receive().message).isInstanceOf(Rows.class);
    }
  }

  @Test
  void should_fail_only_a_malformed_request_and_keep_the_connection() throws Exception {
    try (RawCqlClient client = startedClient()) {
      // given a QUERY whose string claims 1000 bytes but has 3
      ByteBuf malformed =
          Unpooled.buffer()
              .writeByte(4)
              .writeByte(0)
              .writeShort(9)
              .writeByte(ProtocolConstants.Opcode.QUERY);
      malformed.writeInt(7).writeInt(1000).writeBytes(new byte[] {'a', 'b', 'c'});
      // when
      client.sendRaw(malformed);
      Frame answer = client.receive();
      // then
      assertThat(answer.streamId).isEqualTo(9);
      assertThat(((Error) answer.message).code)
          .isEqualTo(ProtocolConstants.ErrorCode.PROTOCOL_ERROR);
      client.send(4, 10, new Query("SELECT cluster_name FROM system.local"));
      assertThat(client.receive().message).isInstanceOf(Rows.class);
    }
  }

  @Test
  void should_answer_peers_v2_as_unconfigured_so_drivers_fall_back_to_peers() throws Exception {
    try (RawCqlClient client = startedClient()) {
      // when
      client.send(4, 1, new Query("SELECT * FROM system.peers_v2"));
      Error error = (Error) client.receive().message;
      // then
      assertThat(error.code).isEqualTo(ProtocolConstants.ErrorCode.INVALID);
      assertThat(error.message).isEqualTo("unconfigured table peers_v2");
    }
  }

  @Test
  void should_answer_unknown_system_local_columns_like_cassandra() throws Exception {
    try (RawCqlClient client = startedClient()) {
      // when
      client.send(4, 1, new Query("SELECT nope FROM system.local"));
      Error error = (Error) client.receive().message;
      // then
      assertThat(error.code).isEqualTo(ProtocolConstants.ErrorCode.INVALID);
      assertThat(error.message).isEqualTo("Undefined column name nope in table system.local");
    }
  }

  @Test
  void should_answer_count_and_aliases_on_virtual_system_tables() throws Exception {
    try (RawCqlClient client = startedClient()) {
      // when
      client.send(4, 1, new Query("SELECT count(*) AS n, cluster_name AS name FROM system.local"));
      Rows rows = (Rows) client.receive().message;
      // then
      assertThat(rows.getMetadata().columnSpecs)
          .extracting(spec -> spec.name)
          .containsExactly("n", "name");
      assertThat(rows.getData()).hasSize(1);
      assertThat(rows.getData().peek().get(0).getLong()).isEqualTo(1L);
    }
  }
}
