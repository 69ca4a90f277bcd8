package io.ferry.proxy.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteTimestampsTest {

  private final MessageCodec codec = new MessageCodec(ByteBufAllocator.DEFAULT);
  private final WriteTimestamps timestamps = new WriteTimestamps();

  private static QueryOptions options(long timestamp, List<ByteBuffer> values) {
    return new QueryOptions(
        ProtocolConstants.ConsistencyLevel.LOCAL_QUORUM,
        values,
        Map.of(),
        false,
        50,
        ByteBuffer.wrap(new byte[] {7, 7}),
        ProtocolConstants.ConsistencyLevel.LOCAL_SERIAL,
        timestamp,
        null,
        Integer.MIN_VALUE);
  }

  @Test
  void should_add_a_timestamp_to_a_query_without_one_and_keep_everything_else() {
    // given
    ByteBuf frame =
        codec.encodeRequest(
            4,
            12,
            new Query(
                "INSERT INTO t (k) VALUES (?)",
                options(Long.MIN_VALUE, List.of(ByteBuffer.wrap(new byte[] {1})))));
    long before = System.currentTimeMillis() * 1000;
    // when
    ByteBuf stamped = timestamps.ensureTimestamp(ByteBufAllocator.DEFAULT, frame);
    // then
    Query query = (Query) codec.decodeRequest(stamped).message;
    assertThat(query.options.defaultTimestamp)
        .isBetween(before, System.currentTimeMillis() * 1000 + 1000);
    assertThat(query.query).isEqualTo("INSERT INTO t (k) VALUES (?)");
    assertThat(query.options.consistency)
        .isEqualTo(ProtocolConstants.ConsistencyLevel.LOCAL_QUORUM);
    assertThat(query.options.pageSize).isEqualTo(50);
    assertThat(query.options.pagingState).isEqualTo(ByteBuffer.wrap(new byte[] {7, 7}));
    assertThat(query.options.serialConsistency)
        .isEqualTo(ProtocolConstants.ConsistencyLevel.LOCAL_SERIAL);
    assertThat(query.options.positionalValues).containsExactly(ByteBuffer.wrap(new byte[] {1}));
    assertThat(Frames.streamId(stamped)).isEqualTo(12);
    assertThat(Frames.bodyLength(stamped))
        .isEqualTo(stamped.readableBytes() - Frames.HEADER_LENGTH);
    stamped.release();
  }

  @Test
  void should_leave_a_client_timestamp_alone() {
    // given
    ByteBuf frame =
        codec.encodeRequest(4, 1, new Query("DELETE FROM t WHERE k = 1", options(42L, List.of())));
    // when
    ByteBuf result = timestamps.ensureTimestamp(ByteBufAllocator.DEFAULT, frame);
    // then
    assertThat(result).isSameAs(frame);
    assertThat(((Query) codec.decodeRequest(result).message).options.defaultTimestamp)
        .isEqualTo(42L);
    result.release();
  }

  @Test
  void should_add_a_timestamp_to_an_execute_and_a_batch() {
    // given
    ByteBuf execute =
        codec.encodeRequest(
            4, 2, new Execute(new byte[] {1, 2, 3}, options(Long.MIN_VALUE, List.of())));
    ByteBuf batch =
        codec.encodeRequest(
            4,
            3,
            new Batch(
                ProtocolConstants.BatchType.LOGGED,
                List.of(new byte[] {9, 9}, "INSERT INTO t (k) VALUES (2)"),
                List.of(List.of(ByteBuffer.wrap(new byte[] {5})), List.of()),
                ProtocolConstants.ConsistencyLevel.ONE,
                ProtocolConstants.ConsistencyLevel.SERIAL,
                Long.MIN_VALUE,
                null,
                Integer.MIN_VALUE));
    // when
    ByteBuf stampedExecute = timestamps.ensureTimestamp(ByteBufAllocator.DEFAULT, execute);
    ByteBuf stampedBatch = timestamps.ensureTimestamp(ByteBufAllocator.DEFAULT, batch);
    // then
    Execute decodedExecute = (Execute) codec.decodeRequest(stampedExecute).message;
    Batch decodedBatch = (Batch) codec.decodeRequest(stampedBatch).message;
    assertThat(decodedExecute.queryId).isEqualTo(new byte[] {1, 2, 3});
    assertThat(decodedExecute.options.defaultTimestamp).isPositive();
    assertThat(decodedBatch.defaultTimestamp)
        .isGreaterThan(decodedExecute.options.defaultTimestamp);
    assertThat(decodedBatch.queriesOrIds.get(1)).isEqualTo("INSERT INTO t (k) VALUES (2)");
    assertThat(decodedBatch.values.get(0)).containsExactly(ByteBuffer.wrap(new byte[] {5}));
    // the WITH_DEFAULT_TIMESTAMP flag is set: the codec reads "no timestamp" as Long.MIN_VALUE
    assertThat(decodedBatch.defaultTimestamp).isNotEqualTo(Long.MIN_VALUE);
    stampedExecute.release();
    stampedBatch.release();
  }

  @Test
  void should_hand_out_strictly_increasing_timestamps() {
    long previous = 0;
    for (int i = 0; i < 100_000; i++) {
      long next = timestamps.next();
      assertThat(next).isGreaterThan(previous);
      previous = next;
    }
  }
}
