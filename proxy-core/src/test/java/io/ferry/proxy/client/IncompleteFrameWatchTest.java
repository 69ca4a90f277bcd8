package io.ferry.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.HandlerNames;
import io.ferry.proxy.segment.ModernFraming;
import io.ferry.proxy.segment.SegmentCompression;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IncompleteFrameWatchTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final IncompleteFrameWatch watch =
      new IncompleteFrameWatch(channel, Duration.ofSeconds(10));

  IncompleteFrameWatchTest() {
    channel.pipeline().addLast(HandlerNames.FRAME_DECODER, new FrameDecoder(1 << 20, false));
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf query(int streamId, int bodyLength) {
    return Unpooled.buffer()
        .writeByte(4)
        .writeByte(0)
        .writeShort(streamId)
        .writeByte(7)
        .writeInt(bodyLength)
        .writeZero(bodyLength);
  }

  @Test
  void should_tell_to_close_a_client_that_stalls_in_the_middle_of_a_frame() {
    // given half a frame, then nothing
    ByteBuf frame = query(1, 100);
    channel.writeInbound(frame.readRetainedSlice(59));
    frame.release();
    // when checked for 11 seconds
    assertThat(watch.check(0)).isNull();
    assertThat(watch.check(9 * SECOND)).isNull();
    String problem = watch.check(11 * SECOND);
    // then
    assertThat(problem)
        .isEqualTo(
            "a frame has stayed incomplete for 11000 ms while Ferry was reading"
                + " (incomplete-frame-timeout: 10000 ms); 59 of its bytes were held");
  }

  @Test
  void should_leave_alone_a_client_whose_frames_keep_completing() {
    // given a client that streams frames, one always incomplete at each check
    ByteBuf frames = Unpooled.buffer();
    for (int i = 0; i < 30; i++) {
      frames.writeBytes(query(i, 100));
    }
    for (long second = 0; second < 30; second++) {
      channel.writeInbound(frames.readRetainedSlice(109));
      while (channel.readInbound() instanceof ByteBuf frame) {
        frame.release();
      }
      // then
      assertThat(watch.check(second * SECOND)).isNull();
    }
    frames.release();
  }

  @Test
  void should_leave_alone_an_idle_client_between_frames() {
    // given whole frames only
    channel.writeInbound(query(1, 10));
    ((ByteBuf) channel.readInbound()).release();
    // then
    assertThat(watch.check(0)).isNull();
    assertThat(watch.check(60 * SECOND)).isNull();
  }

  @Test
  void should_not_count_the_time_ferry_stops_reading_from_the_client() {
    // given half a frame
    ByteBuf frame = query(1, 100);
    channel.writeInbound(frame.readRetainedSlice(50));
    assertThat(watch.check(0)).isNull();
    // when Ferry stops reading (a cluster cannot keep up) for a minute, then reads again
    channel.config().setAutoRead(false);
    assertThat(watch.check(30 * SECOND)).isNull();
    assertThat(watch.check(60 * SECOND)).isNull();
    channel.config().setAutoRead(true);
    // then only the time since reading resumed counts
    assertThat(watch.check(61 * SECOND)).isNull();
    assertThat(watch.check(69 * SECOND)).isNull();
    assertThat(watch.check(71 * SECOND)).startsWith("a frame has stayed incomplete for 11000 ms");
    frame.release();
  }

  @Test
  void should_tell_to_close_a_v5_client_that_stalls_in_the_middle_of_a_segment() {
    // given a v5 connection that got 3 bytes of a segment header
    ModernFraming.install(channel.pipeline(), HandlerNames.FRAME_DECODER, SegmentCompression.NONE);
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    // when
    assertThat(watch.check(0)).isNull();
    // then
    assertThat(watch.check(10 * SECOND)).startsWith("a frame has stayed incomplete for 10000 ms");
  }

  @Test
  void should_tell_to_close_a_client_that_stalls_while_an_oversized_frame_is_skipped() {
    // given the header of a frame larger than the decoder accepts, and some of its body
    channel.writeInbound(
        Unpooled.buffer().writeByte(4).writeByte(0).writeShort(3).writeByte(7).writeInt(2 << 20));
    channel.writeInbound(Unpooled.buffer().writeZero(1000));
    assertThat((Object) channel.readInbound()).isInstanceOf(FrameDecoder.OversizedFrame.class);
    // when
    assertThat(watch.check(0)).isNull();
    // then
    assertThat(watch.check(10 * SECOND))
        .isEqualTo(
            "a frame has stayed incomplete for 10000 ms while Ferry was reading"
                + " (incomplete-frame-timeout: 10000 ms); 0 of its bytes were held");
  }
}
