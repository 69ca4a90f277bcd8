package io.ferry.proxy.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ByteBufPrimitiveCodecTest {

  private final ByteBufPrimitiveCodec codec = new ByteBufPrimitiveCodec(ByteBufAllocator.DEFAULT);
  private final ByteBuf source = Unpooled.buffer();

  @AfterEach
  void release() {
    source.release();
  }

  @Test
  void should_refuse_a_bytes_value_announcing_more_than_is_left_before_allocating_it() {
    // given a value announcing 2 GiB (found by ClientRequestFuzzTest: it cost 2 GiB of heap)
    source.writeInt(Integer.MAX_VALUE).writeBytes(new byte[] {1, 2, 3});
    // when
    Throwable refused = catchThrowable(() -> codec.readBytes(source));
    // then a request-level error, as for any truncated value
    assertThat(refused)
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("[bytes] of 2147483647 bytes, past the end of the frame (3 bytes left)");
  }

  @Test
  void should_refuse_short_bytes_announcing_more_than_is_left() {
    // given
    source.writeShort(65535).writeByte(1);
    // when
    Throwable refused = catchThrowable(() -> codec.readShortBytes(source));
    // then
    assertThat(refused)
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("[short bytes] of 65535 bytes, past the end of the frame (1 bytes left)");
  }

  @Test
  void should_read_bytes_values_and_null() {
    // given
    source.writeInt(2).writeByte(7).writeByte(8).writeInt(-1);
    // when
    ByteBuffer value = codec.readBytes(source);
    ByteBuffer missing = codec.readBytes(source);
    // then
    assertThat(value).isEqualTo(ByteBuffer.wrap(new byte[] {7, 8}));
    assertThat(missing).isNull();
    assertThat(source.isReadable()).isFalse();
  }
}
