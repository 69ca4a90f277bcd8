package io.ferry.proxy.compression;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FrameCompressionTest {

  private static final String BODY = "SELECT * FROM ks.t WHERE k = 'compress me' ".repeat(50);

  @ParameterizedTest
  @EnumSource(Compression.class)
  void should_compress_a_frame_written_in_pieces_and_decompress_it_back(Compression compression) {
    EmbeddedChannel sender = new EmbeddedChannel(new FrameCompressor(compression));
    EmbeddedChannel receiver = new EmbeddedChannel(new FrameDecompressor(compression, 1 << 20));
    ByteBuf frame = frame(7, BODY);
    ByteBuf expected = frame.copy();

    // a header and a body written separately, as Ferry writes a frame shared by two clusters
    sender.write(frame.retainedSlice(0, Frames.HEADER_LENGTH));
    assertThat((Object) sender.readOutbound()).isNull();
    sender.writeAndFlush(frame.retainedSlice(Frames.HEADER_LENGTH, frame.readableBytes() - 9));
    frame.release();
    ByteBuf compressed = sender.readOutbound();

    assertThat(Frames.flags(compressed) & 0x01).isEqualTo(1);
    assertThat(Frames.streamId(compressed)).isEqualTo(7);
    assertThat(compressed.readableBytes()).isLessThan(expected.readableBytes() / 4);
    receiver.writeInbound(compressed);
    ByteBuf decompressed = receiver.readInbound();
    assertThat(ByteBufUtil.equals(decompressed, expected)).isTrue();
    decompressed.release();
    expected.release();
    assertThat(sender.finish()).isFalse();
    assertThat(receiver.finish()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void should_turn_a_corrupt_body_into_a_corrupt_frame(Compression compression) {
    EmbeddedChannel receiver = new EmbeddedChannel(new FrameDecompressor(compression, 1 << 20));
    ByteBuf frame = frame(12, "\u0000\u0000\u0001\u0000 this is not compressed at all");
    frame.setByte(1, 0x01);

    receiver.writeInbound(frame);

    FrameDecompressor.CorruptFrame corrupt = receiver.readInbound();
    assertThat(corrupt.streamId()).isEqualTo(12);
    assertThat(corrupt.reason()).isNotBlank();
    assertThat(frame.refCnt()).isZero();
    assertThat(receiver.finish()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void should_refuse_a_body_that_would_decompress_beyond_the_maximum(Compression compression) {
    ByteBuf plain = Unpooled.wrappedBuffer(new byte[64 * 1024]);
    ByteBuf body = compression.compress(Unpooled.buffer().alloc(), plain);
    plain.release();
    ByteBuf frame = Unpooled.buffer();
    frame.writeByte(4).writeByte(0x01).writeShort(3).writeByte(7).writeInt(body.readableBytes());
    frame.writeBytes(body);
    body.release();
    EmbeddedChannel receiver = new EmbeddedChannel(new FrameDecompressor(compression, 1024));

    receiver.writeInbound(frame);

    FrameDecompressor.CorruptFrame corrupt = receiver.readInbound();
    assertThat(corrupt.reason()).contains("max-frame-length");
    assertThat(receiver.finish()).isFalse();
  }

  private static ByteBuf frame(int streamId, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ByteBuf frame = Unpooled.directBuffer();
    frame.writeByte(4).writeByte(0).writeShort(streamId).writeByte(7).writeInt(bytes.length + 4);
    frame.writeInt(bytes.length).writeBytes(bytes);
    return frame;
  }
}
