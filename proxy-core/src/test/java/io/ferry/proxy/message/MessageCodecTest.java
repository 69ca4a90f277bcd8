package io.ferry.proxy.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import io.ferry.proxy.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

  private final MessageCodec codec = new MessageCodec(ByteBufAllocator.DEFAULT);

  @Test
  void should_refuse_a_startup_whose_custom_payload_announces_2_gib_without_allocating_it() {
    // given a STARTUP from a client not authenticated yet: a custom payload of one entry whose
    // value announces 2 GiB, in 19 bytes
    ByteBuf body = Unpooled.buffer().writeShort(1).writeShort(1).writeByte('k');
    body.writeInt(Integer.MAX_VALUE).writeBytes(new byte[] {1, 2});
    ByteBuf frame =
        Unpooled.buffer()
            .writeByte(4)
            .writeByte(Frames.FLAG_CUSTOM_PAYLOAD)
            .writeShort(0)
            .writeByte(Opcode.STARTUP)
            .writeInt(body.readableBytes())
            .writeBytes(body);
    body.release();
    // when
    Throwable refused = catchThrowable(() -> codec.decodeRequest(frame));
    frame.release();
    // then the request is malformed, which fails it alone
    assertThat(refused)
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessage("[bytes] of 2147483647 bytes, past the end of the frame (2 bytes left)");
  }
}
