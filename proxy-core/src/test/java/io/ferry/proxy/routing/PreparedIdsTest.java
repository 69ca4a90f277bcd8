package io.ferry.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreparedIdsTest {

  private final MessageCodec codec = new MessageCodec(ByteBufAllocator.DEFAULT);
  private static final byte[] ORIGIN_ID = {1, 2, 3, 4};
  private static final byte[] TARGET_ID = {9, 8, 7, 6, 5, 4, 3, 2, 1};

  @Test
  void should_replace_an_execute_id_and_keep_the_rest_of_the_body() {
    // given
    QueryOptions options =
        new QueryOptions(
            ProtocolConstants.ConsistencyLevel.QUORUM,
            List.of(ByteBuffer.wrap(new byte[] {42})),
            java.util.Map.of(),
            false,
            100,
            null,
            ProtocolConstants.ConsistencyLevel.SERIAL,
            Long.MIN_VALUE,
            null,
            Integer.MIN_VALUE);
    ByteBuf frame = codec.encodeRequest(4, 7, new Execute(ORIGIN_ID, options));
    // when
    int position = PreparedIds.executeIdPosition(frame);
    ByteBuf rewritten =
        PreparedIds.replace(
            ByteBufAllocator.DEFAULT, frame, new int[] {position}, List.of(TARGET_ID), 99);
    // then
    Frame decoded = codec.decodeRequest(rewritten);
    assertThat(decoded.streamId).isEqualTo(99);
    Execute execute = (Execute) decoded.message;
    assertThat(execute.queryId).isEqualTo(TARGET_ID);
    assertThat(execute.options.consistency).isEqualTo(ProtocolConstants.ConsistencyLevel.QUORUM);
    assertThat(execute.options.positionalValues).containsExactly(ByteBuffer.wrap(new byte[] {42}));
    assertThat(Frames.bodyLength(rewritten))
        .isEqualTo(rewritten.readableBytes() - Frames.HEADER_LENGTH);
    rewritten.release();
    frame.release();
  }

  @Test
  void should_find_and_replace_only_prepared_children_of_a_batch() {
    // given a batch of: prepared, query string, prepared
    Batch batch =
        new Batch(
            ProtocolConstants.BatchType.UNLOGGED,
            List.of(ORIGIN_ID, "INSERT INTO t (k) VALUES (1)", new byte[] {5, 5}),
            List.of(
                List.of(ByteBuffer.wrap(new byte[] {1})),
                List.of(),
                List.of(ByteBuffer.wrap(new byte[] {2}), ByteBuffer.wrap(new byte[] {3}))),
            ProtocolConstants.ConsistencyLevel.ONE,
            ProtocolConstants.ConsistencyLevel.SERIAL,
            Long.MIN_VALUE,
            null,
            Integer.MIN_VALUE);
    ByteBuf frame = codec.encodeRequest(4, 1, batch);
    // when
    int[] positions = PreparedIds.batchIdPositions(frame);
    ByteBuf rewritten =
        PreparedIds.replace(
            ByteBufAllocator.DEFAULT, frame, positions, List.of(TARGET_ID, new byte[] {6}), 1);
    // then
    assertThat(positions).hasSize(2);
    Batch decoded = (Batch) codec.decodeRequest(rewritten).message;
    assertThat(decoded.queriesOrIds.get(0)).isEqualTo(TARGET_ID);
    assertThat(decoded.queriesOrIds.get(1)).isEqualTo("INSERT INTO t (k) VALUES (1)");
    assertThat(decoded.queriesOrIds.get(2)).isEqualTo(new byte[] {6});
    assertThat(decoded.values.get(2)).hasSize(2);
    rewritten.release();
    frame.release();
  }

  @Test
  void should_read_the_id_of_a_prepared_result_and_of_an_unprepared_error() {
    // given
    ByteBuf prepared =
        codec.encodeResponse(
            4,
            3,
            new Prepared(
                ORIGIN_ID,
                null,
                new RowsMetadata(List.of(), null, new int[0], null),
                new RowsMetadata(List.of(), null, null, null)));
    ByteBuf unprepared = codec.encodeResponse(4, 3, MessageCodec.unprepared(TARGET_ID));
    // when
    byte[] id = PreparedIds.preparedResultId(prepared);
    int position = PreparedIds.unpreparedIdPosition(unprepared);
    ByteBuf rewritten =
        PreparedIds.replace(
            ByteBufAllocator.DEFAULT, unprepared, new int[] {position}, List.of(ORIGIN_ID), 3);
    // then
    assertThat(id).isEqualTo(ORIGIN_ID);
    assertThat(PreparedIds.preparedResultId(unprepared)).isNull();
    var error =
        (com.datastax.oss.protocol.internal.response.error.Unprepared)
            codec.decodeResponse(rewritten).message;
    assertThat(error.id).isEqualTo(ORIGIN_ID);
    assertThat(error.message).contains("Prepared query with ID 090807060504030201 not found");
    rewritten.release();
    prepared.release();
    unprepared.release();
  }
}
