package io.ferry.proxy.segment;

import static io.ferry.proxy.segment.NativeProtocolSegments.describe;
import static io.ferry.proxy.segment.NativeProtocolSegments.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.HandlerNames;
import io.ferry.proxy.segment.NativeProtocolSegments.RawSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ModernFramingTest {

  @RegisterExtension final OpenChannels channels = new OpenChannels();

  private static final String FRAME_DECODER = "frameDecoder";

  /** A client connection's pipeline before the switch. */
  private EmbeddedChannel clientConnection() {
    EmbeddedChannel channel = channels.open();
    channel.pipeline().addLast(FRAME_DECODER, new FrameDecoder(1024 * 1024, false));
    return channel;
  }

  /** A v5 response with an empty body: READY (0x02) or RESULT Void would do. */
  private static ByteBuf response(int opcode, int bodyLength) {
    ByteBuf frame = Unpooled.buffer();
    frame.writeByte(0x85).writeByte(0).writeShort(0).writeByte(opcode).writeInt(bodyLength);
    return frame.writeZero(bodyLength);
  }

  @Test
  void should_send_the_frame_written_before_installation_plain_and_later_ones_in_segments()
      throws Exception {
    // given
    EmbeddedChannel channel = clientConnection();
    ByteBuf result = response(0x08, 4);
    byte[] resultBytes = ByteBufUtil.getBytes(result);
    // when READY is written, modern framing installed, and then READY flushed with a RESULT
    channel.write(response(0x02, 0));
    ModernFraming.install(channel.pipeline(), FRAME_DECODER, SegmentCompression.NONE);
    channel.writeAndFlush(result);
    // then
    ByteBuf ready = channel.readOutbound();
    assertThat(ready.readableBytes()).isEqualTo(Frames.HEADER_LENGTH);
    assertThat(Frames.opcode(ready)).isEqualTo(0x02);
    ready.release();
    List<RawSegment> segments =
        NativeProtocolSegments.readSegments(SegmentCompression.NONE, channel.readOutbound());
    assertThat(segments).hasSize(1);
    assertThat(segments.get(0).payload()).isEqualTo(resultBytes);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_read_plain_frames_before_installation_and_segments_after() {
    // given
    EmbeddedChannel channel = clientConnection();
    channel.writeInbound(NativeProtocolSegments.encode(query(0, "USE ks")));
    ByteBuf startup = channel.readInbound();
    assertThat(Frames.streamId(startup)).isZero();
    startup.release();
    // when
    ModernFraming.install(channel.pipeline(), FRAME_DECODER, SegmentCompression.LZ4);
    channel.writeInbound(
        NativeProtocolSegments.encodeSegments(
            SegmentCompression.LZ4, List.of(query(1, "SELECT * FROM ks.t"))));
    // then
    ByteBuf frame = channel.readInbound();
    assertThat(describe(NativeProtocolSegments.decodeFrame(frame)))
        .isEqualTo(describe(query(1, "SELECT * FROM ks.t")));
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_put_the_segment_handlers_just_before_the_frame_decoder() {
    // given
    EmbeddedChannel channel = clientConnection();
    // when
    ModernFraming.install(channel.pipeline(), FRAME_DECODER, SegmentCompression.NONE);
    // then
    assertThat(channel.pipeline().names())
        .containsSubsequence(
            HandlerNames.SEGMENT_DECODER, HandlerNames.SEGMENT_ENCODER, FRAME_DECODER);
    assertThat(channel.pipeline().names().indexOf(FRAME_DECODER))
        .isEqualTo(channel.pipeline().names().indexOf(HandlerNames.SEGMENT_ENCODER) + 1);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_refuse_to_install_off_the_event_loop() {
    // given a channel whose event loop is not the test's thread
    EventLoop eventLoop = new DefaultEventLoop();
    Channel channel = new LocalChannel();
    try {
      eventLoop.register(channel).syncUninterruptibly();
      channel.pipeline().addLast(FRAME_DECODER, new FrameDecoder(1024, false));
      // when / then
      assertThatThrownBy(
              () ->
                  ModernFraming.install(channel.pipeline(), FRAME_DECODER, SegmentCompression.NONE))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("off the event loop");
      assertThat(channel.pipeline().get(HandlerNames.SEGMENT_DECODER)).isNull();
    } finally {
      channel.close().syncUninterruptibly();
      eventLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
