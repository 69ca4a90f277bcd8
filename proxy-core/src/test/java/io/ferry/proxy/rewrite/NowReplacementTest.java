package io.ferry.proxy.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.RawType;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.cql.NowCalls;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class NowReplacementTest {

  private final MessageCodec codec = new MessageCodec(ByteBufAllocator.DEFAULT);
  private final NowReplacement replacement = new NowReplacement(codec);

  private static QueryOptions options(List<ByteBuffer> positional, Map<String, ByteBuffer> named) {
    return new QueryOptions(
        ProtocolConstants.ConsistencyLevel.ONE,
        positional,
        named,
        false,
        -1,
        null,
        ProtocolConstants.ConsistencyLevel.SERIAL,
        Long.MIN_VALUE,
        null,
        Integer.MIN_VALUE);
  }

  @Test
  void should_put_a_timeuuid_literal_in_a_query() {
    // given
    String cql = "INSERT INTO t (k, ts) VALUES (1, now())";
    ByteBuf frame = codec.encodeRequest(4, 1, new Query(cql, options(List.of(), Map.of())));
    // when
    ByteBuf replaced = replacement.replaceInQuery(frame, NowCalls.find(cql));
    // then
    String query = ((Query) codec.decodeRequest(replaced).message).query;
    String literal =
        query.substring("INSERT INTO t (k, ts) VALUES (1, ".length(), query.length() - 1);
    assertThat(UUID.fromString(literal).version()).isEqualTo(1);
    replaced.release();
  }

  @Test
  void should_put_a_marker_in_a_prepare() {
    // given
    String cql = "UPDATE t SET ts = now() WHERE k = ?";
    ByteBuf frame = codec.encodeRequest(4, 1, new Prepare(cql));
    // when
    ByteBuf replaced = replacement.replaceInPrepare(frame, NowCalls.find(cql));
    // then
    assertThat(((Prepare) codec.decodeRequest(replaced).message).cqlQuery)
        .isEqualTo("UPDATE t SET ts = ? WHERE k = ?");
    replaced.release();
  }

  @Test
  void should_hide_the_markers_and_renumber_the_partition_key_indexes() {
    // given variables (ts, k, c) where ts replaced now() and k, c are the partition key
    RawType type = RawType.PRIMITIVES.get(ProtocolConstants.DataType.INT);
    RowsMetadata variables =
        new RowsMetadata(
            List.of(
                new ColumnSpec("ks", "t", "ts", 0, type),
                new ColumnSpec("ks", "t", "k", 1, type),
                new ColumnSpec("ks", "t", "c", 2, type)),
            null,
            new int[] {1, 2},
            null);
    ByteBuf response =
        codec.encodeResponse(
            4,
            7,
            new Prepared(
                new byte[] {1}, null, variables, new RowsMetadata(List.of(), null, null, null)));
    // when
    ByteBuf hidden = replacement.hideMarkers(response, new int[] {0});
    // then
    Prepared prepared = (Prepared) codec.decodeResponse(hidden).message;
    assertThat(prepared.variablesMetadata.columnSpecs)
        .extracting(column -> column.name + "@" + column.index)
        .containsExactly("k@0", "c@1");
    assertThat(prepared.variablesMetadata.pkIndices).containsExactly(0, 1);
    assertThat(prepared.preparedQueryId).isEqualTo(new byte[] {1});
    hidden.release();
  }

  @Test
  void should_splice_generated_values_at_the_markers_of_an_execute() {
    // given the client's values for markers 1 and 3 of 4; markers 0 and 2 replaced now()
    ByteBuffer a = ByteBuffer.wrap(new byte[] {10});
    ByteBuffer b = ByteBuffer.wrap(new byte[] {20});
    ByteBuf frame =
        codec.encodeRequest(4, 1, new Execute(new byte[] {5}, options(List.of(a, b), Map.of())));
    // when
    ByteBuf spliced = replacement.addValues(frame, new int[] {0, 2});
    // then
    List<ByteBuffer> values =
        ((Execute) codec.decodeRequest(spliced).message).options.positionalValues;
    assertThat(values).hasSize(4);
    assertThat(values.get(1)).isEqualTo(a);
    assertThat(values.get(3)).isEqualTo(b);
    assertThat(values.get(0).remaining()).isEqualTo(16);
    assertThat(values.get(2)).isNotEqualTo(values.get(0));
    spliced.release();
  }

  @Test
  void should_add_a_named_value_when_the_client_binds_by_name() {
    // given
    ByteBuf frame =
        codec.encodeRequest(
            4,
            1,
            new Execute(
                new byte[] {5}, options(List.of(), Map.of("k", ByteBuffer.wrap(new byte[] {1})))));
    // when
    ByteBuf spliced = replacement.addValues(frame, new int[] {1});
    // then
    Map<String, ByteBuffer> named =
        ((Execute) codec.decodeRequest(spliced).message).options.namedValues;
    assertThat(named).containsKeys("k", NowCalls.MARKER_NAME);
    spliced.release();
  }
}
