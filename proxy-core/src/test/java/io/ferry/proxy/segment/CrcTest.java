package io.ferry.proxy.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.message.ByteBufPrimitiveCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrcTest {

  private final Random random = new Random(42);

  @Test
  void should_compute_the_header_crc24_the_native_protocol_library_computes() {
    for (int length = 3; length <= 5; length++) {
      for (int round = 0; round < 1000; round++) {
        // given
        long fields = random.nextLong() & ((1L << (8 * length)) - 1);
        ByteBuf wire = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) {
          wire.writeByte((int) (fields >>> (8 * i)));
        }
        // when
        int crc = Crc.crc24(wire, 0, length);
        // then
        assertThat(crc)
            .isEqualTo(com.datastax.oss.protocol.internal.util.Crc.computeCrc24(fields, length));
        wire.release();
      }
    }
  }

  @Test
  void should_compute_the_payload_crc32_the_native_protocol_library_computes_over_any_buffer() {
    // given the same bytes in a heap buffer, a direct buffer and a composite of both kinds
    byte[] bytes = new byte[5000];
    random.nextBytes(bytes);
    ByteBuf heap = Unpooled.wrappedBuffer(bytes);
    ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(bytes);
    CompositeByteBuf composite = ByteBufAllocator.DEFAULT.compositeBuffer();
    composite.addComponent(true, Unpooled.wrappedBuffer(bytes, 0, 1234));
    composite.addComponent(
        true, ByteBufAllocator.DEFAULT.directBuffer().writeBytes(bytes, 1234, 5000 - 1234));
    int expected =
        com.datastax.oss.protocol.internal.util.Crc.computeCrc32(
            heap, new ByteBufPrimitiveCodec(ByteBufAllocator.DEFAULT));
    // when / then
    assertThat(Crc.crc32(heap, 0, 5000)).isEqualTo(expected);
    assertThat(Crc.crc32(direct, 0, 5000)).isEqualTo(expected);
    assertThat(Crc.crc32(composite, 0, 5000)).isEqualTo(expected);
    ByteBuf middle = Unpooled.wrappedBuffer(bytes, 1000, 3000);
    assertThat(Crc.crc32(composite, 1000, 3000)).isEqualTo(Crc.crc32(middle, 0, 3000));
    middle.release();
    heap.release();
    direct.release();
    composite.release();
  }
}
