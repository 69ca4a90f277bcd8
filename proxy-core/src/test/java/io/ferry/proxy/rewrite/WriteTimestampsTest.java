package io.ferry.proxy.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.frame.QueryParameters;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  @ParameterizedTest
  @ValueSource(ints = {5, 0x42})
  void should_insert_the_timestamp_before_the_keyspace_and_now_in_seconds(int version) {
    // given a v5 (or DSE_V2) query naming its keyspace, whose flags are an int
    QueryOptions options =
        new QueryOptions(
            ProtocolConstants.ConsistencyLevel.ONE,
            List.of(ByteBuffer.wrap(new byte[] {1})),
            Map.of(),
            false,
            50,
            null,
            ProtocolConstants.ConsistencyLevel.SERIAL,
            Long.MIN_VALUE,
            "ks",
            version == 5 ? 42 : Integer.MIN_VALUE);
    ByteBuf frame =
        codec.encodeRequest(version, 3, new Query("INSERT INTO t (k) VALUES (?)", options));
    assertThat(QueryParameters.requestKeyspace(frame, ProtocolVersion.fromCode(version)))
        .isEqualTo("ks");
    // when
    ByteBuf stamped = timestamps.ensureTimestamp(ByteBufAllocator.DEFAULT, frame);
    // then every field decodes where it belongs
    Query query = (Query) codec.decodeRequest(stamped).message;
    assertThat(query.options.defaultTimestamp).isPositive();
    assertThat(query.options.keyspace).isEqualTo("ks");
    if (version == 5) {
      assertThat(query.options.nowInSeconds).isEqualTo(42);
    }
    assertThat(query.options.serialConsistency)
        .isEqualTo(ProtocolConstants.ConsistencyLevel.SERIAL);
    assertThat(query.options.positionalValues).containsExactly(ByteBuffer.wrap(new byte[] {1}));
    assertThat(QueryParameters.requestKeyspace(stamped, ProtocolVersion.fromCode(version)))
        .isEqualTo("ks");
    stamped.release();
  }

  @Test
  void should_add_a_timestamp_to_a_v5_execute_with_its_result_metadata_id() {
    ByteBuf frame =
        codec.encodeRequest(
            5,
            4,
            new Execute(
                new byte[] {1, 2, 3},
                new byte[] {9, 9},
                options(Long.MIN_VALUE, List.of(ByteBuffer.wrap(new byte[] {5})))));
    ByteBuf stamped = timestamps.ensureTimestamp(ByteBufAllocator.DEFAULT, frame);
    Execute execute = (Execute) codec.decodeRequest(stamped).message;
    assertThat(execute.queryId).containsExactly(1, 2, 3);
    assertThat(execute.resultMetadataId).containsExactly(9, 9);
    assertThat(execute.options.defaultTimestamp).isPositive();
    assertThat(execute.options.pagingState).isEqualTo(ByteBuffer.wrap(new byte[] {7, 7}));
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
