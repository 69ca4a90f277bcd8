package io.ferry.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.cql.StatementClassifier;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PreparedStatementCacheTest {

  private final PreparedStatementCache cache = new PreparedStatementCache(100);
  private ByteBuf frame;

  @AfterEach
  void release() {
    if (frame != null) {
      frame.release();
    }
  }

  private static PreparedStatement statement(byte[] id) {
    return new PreparedStatement(
        id,
        id,
        StatementClassifier.classify("SELECT v FROM ks.t WHERE k = ?"),
        null,
        "SELECT v FROM ks.t WHERE k = ?",
        new int[0],
        false,
        null,
        null,
        null);
  }

  /** A buffer with some bytes, then the id as {@code [short bytes]}, then more bytes. */
  private ByteBuf frameWithId(byte[] id) {
    frame = Unpooled.buffer().writeBytes(new byte[] {9, 9, 9}).writeShort(id.length);
    frame.writeBytes(id).writeBytes(new byte[] {7, 7});
    return frame;
  }

  @Test
  void should_find_a_statement_by_the_id_bytes_where_they_lie_in_a_frame() {
    byte[] id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    PreparedStatement statement = statement(id);
    cache.put(statement);

    assertThat(cache.get(frameWithId(id.clone()), 3)).isSameAs(statement);
    assertThat(cache.get(id.clone())).isSameAs(statement);
  }

  @Test
  void should_not_confuse_ids_with_the_same_hash() {
    byte[] stored = {0, 31};
    byte[] other = {1, 0};
    assertThat(Arrays.hashCode(stored)).isEqualTo(Arrays.hashCode(other));
    cache.put(statement(stored));

    assertThat(cache.get(frameWithId(other), 3)).isNull();
    assertThat(cache.get(other)).isNull();
  }

  @Test
  void should_neither_keep_nor_release_the_frame_it_looks_into() {
    byte[] id = {4, 2};
    cache.put(statement(id));
    ByteBuf buffer = frameWithId(new byte[] {4, 3});

    assertThat(cache.get(buffer, 3)).isNull();
    assertThat(buffer.refCnt()).isEqualTo(1);
    assertThat(buffer.readerIndex()).isZero();
  }
}
