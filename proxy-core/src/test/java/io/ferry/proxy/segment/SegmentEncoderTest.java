package io.ferry.proxy.segment;

import static io.ferry.proxy.segment.NativeProtocolSegments.compressibleText;
import static io.ferry.proxy.segment.NativeProtocolSegments.incompressibleText;
import static io.ferry.proxy.segment.NativeProtocolSegments.query;
import static io.ferry.proxy.segment.NativeProtocolSegments.readSegments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.segment.NativeProtocolSegments.RawSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SegmentEncoderTest {

  @RegisterExtension final OpenChannels channels = new OpenChannels();

  private static final int MAX = ModernFraming.MAX_PAYLOAD_LENGTH;

  /**
   * Keeps the segments the encoder writes, with their promises, instead of sending them; releases
   * them when the channel is finished.
   */
  private static final class Capture extends ChannelOutboundHandlerAdapter {
    final List<ByteBuf> segments = new ArrayList<>();
    final List<ChannelPromise> promises = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      segments.add((ByteBuf) msg);
      promises.add(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      segments.forEach(ByteBuf::release);
    }
  }

  /** A v5 RESULT frame with a body of {@code bodyLength} bytes; the caller owns it. */
  private static ByteBuf frame(int streamId, int bodyLength) {
    ByteBuf frame = Unpooled.buffer(Frames.HEADER_LENGTH + bodyLength);
    frame.writeByte(0x85).writeByte(0).writeShort(streamId).writeByte(0x08).writeInt(bodyLength);
    for (int i = 0; i < bodyLength; i++) {
      frame.writeByte(i * 31 + streamId);
    }
    return frame;
  }

  /** Everything the channel sent, in one buffer the caller owns. */
  private static ByteBuf sent(EmbeddedChannel channel) {
    CompositeByteBuf stream = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    for (ByteBuf segment = channel.readOutbound();
        segment != null;
        segment = channel.readOutbound()) {
      stream.addComponent(true, segment);
    }
    return stream;
  }

  private static byte[] payloads(List<RawSegment> segments) {
    ByteBuf all = Unpooled.buffer();
    segments.forEach(segment -> all.writeBytes(segment.payload()));
    byte[] bytes = ByteBufUtil.getBytes(all);
    all.release();
    return bytes;
  }

  @Test
  void should_send_nothing_until_flushed() {
    // given
    Capture capture = new Capture();
    EmbeddedChannel channel = channels.open(capture, new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf frame = frame(1, 100);
    // when
    channel.write(frame.readRetainedSlice(Frames.HEADER_LENGTH));
    channel.write(frame.readRetainedSlice(100));
    frame.release();
    // then
    assertThat(capture.segments).isEmpty();
    channel.flush();
    assertThat(capture.segments).hasSize(1);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_send_a_frame_written_as_header_and_body_as_one_self_contained_segment() {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf frame = frame(1, 100);
    byte[] frameBytes = ByteBufUtil.getBytes(frame);
    // when
    ChannelFuture header = channel.write(frame.readRetainedSlice(Frames.HEADER_LENGTH));
    ChannelFuture body = channel.write(frame.readRetainedSlice(100));
    frame.release();
    channel.flush();
    // then: header (length 109, self-contained, CRC24), payload, CRC32
    ByteBuf segment = channel.readOutbound();
    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(segment.readableBytes()).isEqualTo(6 + 109 + 4);
    assertThat(segment.getUnsignedMediumLE(0)).isEqualTo(109 | 1 << 17);
    assertThat(segment.getUnsignedMediumLE(3)).isEqualTo(Crc.crc24(segment, 0, 3));
    assertThat(ByteBufUtil.getBytes(segment, 6, 109)).isEqualTo(frameBytes);
    assertThat(segment.getIntLE(6 + 109)).isEqualTo(Crc.crc32(segment, 6, 109));
    assertThat(header.isSuccess()).isTrue();
    assertThat(body.isSuccess()).isTrue();
    segment.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_not_copy_the_frames_into_an_uncompressed_segment() {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf frame = frame(1, 1000);
    // when
    channel.write(frame.retainedSlice(0, Frames.HEADER_LENGTH));
    channel.writeAndFlush(frame.retainedSlice(Frames.HEADER_LENGTH, 1000));
    // then the segment's payload components are the written buffers' memory
    CompositeByteBuf segment = channel.readOutbound();
    int sharing = 0;
    for (int component = 0; component < segment.numComponents(); component++) {
      ByteBuf part = segment.component(component);
      if (part.hasArray() && part.array() == frame.array()) {
        sharing++;
      }
    }
    assertThat(sharing).isEqualTo(2);
    segment.release();
    frame.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_pack_small_frames_into_self_contained_segments_of_at_most_the_max_payload()
      throws Exception {
    // given three frames of 50,000 bytes
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf written = Unpooled.buffer();
    // when
    for (int streamId = 0; streamId < 3; streamId++) {
      ByteBuf frame = frame(streamId, 50_000 - Frames.HEADER_LENGTH);
      written.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
      channel.write(frame);
    }
    channel.flush();
    // then two fit in the first segment, the third goes in a second one
    List<RawSegment> segments = readSegments(SegmentCompression.NONE, sent(channel));
    assertThat(segments)
        .extracting(segment -> segment.header().payloadLength)
        .containsExactly(100_000, 50_000);
    assertThat(segments).allMatch(segment -> segment.header().isSelfContained);
    assertThat(payloads(segments)).isEqualTo(ByteBufUtil.getBytes(written));
    written.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_split_a_frame_larger_than_the_max_payload_over_non_self_contained_segments()
      throws Exception {
    // given a frame of 300,009 bytes, then a small one
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf large = frame(1, 300_000);
    ByteBuf small = frame(2, 11);
    ByteBuf written = Unpooled.buffer().writeBytes(large, 0, 300_009).writeBytes(small, 0, 20);
    // when
    channel.write(large.readRetainedSlice(Frames.HEADER_LENGTH));
    channel.write(large);
    channel.writeAndFlush(small);
    // then
    List<RawSegment> segments = readSegments(SegmentCompression.NONE, sent(channel));
    assertThat(segments)
        .extracting(segment -> segment.header().payloadLength)
        .containsExactly(MAX, MAX, 300_009 - 2 * MAX, 20);
    assertThat(segments)
        .extracting(segment -> segment.header().isSelfContained)
        .containsExactly(false, false, false, true);
    assertThat(payloads(segments)).isEqualTo(ByteBufUtil.getBytes(written));
    written.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_send_full_segments_before_the_flush_once_more_than_a_max_payload_is_pending() {
    // given
    Capture capture = new Capture();
    EmbeddedChannel channel = channels.open(capture, new SegmentEncoder(SegmentCompression.NONE));
    // when three frames of 50,000 bytes are written without a flush
    for (int streamId = 0; streamId < 3; streamId++) {
      channel.write(frame(streamId, 50_000 - Frames.HEADER_LENGTH));
    }
    // then the first two went out together; the third waits for more frames or the flush
    assertThat(capture.segments).hasSize(1);
    assertThat(capture.segments.get(0).getUnsignedMediumLE(0) & MAX).isEqualTo(100_000);
    channel.flush();
    assertThat(capture.segments).hasSize(2);
    assertThat(capture.segments.get(1).getUnsignedMediumLE(0) & MAX).isEqualTo(50_000);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_hold_back_a_frame_whose_body_is_not_written_yet() throws Exception {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf second = frame(2, 30);
    // when a whole frame and the header of a second one are flushed
    channel.write(frame(1, 10));
    channel.writeAndFlush(second.readRetainedSlice(Frames.HEADER_LENGTH));
    // then only the whole frame is sent
    assertThat(readSegments(SegmentCompression.NONE, sent(channel)))
        .extracting(segment -> segment.header().payloadLength)
        .containsExactly(19);
    // and the second frame once its body follows
    channel.writeAndFlush(second);
    assertThat(readSegments(SegmentCompression.NONE, sent(channel)))
        .extracting(segment -> segment.header().payloadLength)
        .containsExactly(39);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_complete_each_write_when_the_segment_holding_its_last_byte_is_written() {
    // given
    Capture capture = new Capture();
    EmbeddedChannel channel = channels.open(capture, new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf large = frame(1, 300_000);
    // when a frame split over three segments and a small frame are written
    ChannelFuture header = channel.write(large.readRetainedSlice(Frames.HEADER_LENGTH));
    ChannelFuture body = channel.write(large);
    ChannelFuture small = channel.write(frame(2, 5));
    channel.flush();
    // then the middle segment ends no write and costs no promise
    assertThat(capture.promises).hasSize(4);
    assertThat(capture.promises.get(1).isVoid()).isTrue();
    // and each write completes with the segment holding its last byte
    capture.promises.get(0).setSuccess();
    assertThat(header.isSuccess()).isTrue();
    assertThat(body.isDone()).isFalse();
    capture.promises.get(2).setSuccess();
    assertThat(body.isSuccess()).isTrue();
    assertThat(small.isDone()).isFalse();
    IllegalStateException failure = new IllegalStateException("connection reset");
    capture.promises.get(3).setFailure(failure);
    assertThat(small.cause()).isSameAs(failure);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_complete_together_the_writes_that_end_in_one_segment() {
    // given
    Capture capture = new Capture();
    EmbeddedChannel channel = channels.open(capture, new SegmentEncoder(SegmentCompression.NONE));
    // when
    ChannelFuture first = channel.write(frame(1, 5));
    ChannelFuture second = channel.write(frame(2, 5));
    ChannelFuture empty = channel.write(Unpooled.EMPTY_BUFFER);
    channel.flush();
    // then
    assertThat(capture.promises).hasSize(1);
    assertThat(first.isDone()).isFalse();
    capture.promises.get(0).setSuccess();
    assertThat(first.isSuccess()).isTrue();
    assertThat(second.isSuccess()).isTrue();
    assertThat(empty.isSuccess()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_accept_writes_with_the_void_promise() throws Exception {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf frame = frame(1, 100);
    // when
    channel.write(frame.readRetainedSlice(Frames.HEADER_LENGTH), channel.voidPromise());
    channel.write(frame, channel.voidPromise());
    channel.flush();
    // then
    assertThat(readSegments(SegmentCompression.NONE, sent(channel))).hasSize(1);
    channel.checkException();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_pass_an_empty_write_on_when_nothing_is_pending() {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    // when
    ChannelFuture empty = channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    // then
    assertThat(empty.isSuccess()).isTrue();
    ByteBuf sent = channel.readOutbound();
    assertThat(sent.isReadable()).isFalse();
    sent.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_release_what_is_pending_and_fail_its_writes_when_the_channel_closes() {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf frame = frame(1, 100);
    ChannelFuture header = channel.write(frame.readRetainedSlice(Frames.HEADER_LENGTH));
    ChannelFuture body = channel.write(frame.readRetainedSlice(100));
    frame.release();
    // when
    channel.close();
    // then
    assertThat(header.cause()).isInstanceOf(ClosedChannelException.class);
    assertThat(body.cause()).isInstanceOf(ClosedChannelException.class);
    assertThat(frame.refCnt()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_release_what_is_pending_when_removed_from_the_pipeline() {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf frame = frame(1, 100);
    ChannelFuture write = channel.write(frame);
    // when
    channel.pipeline().remove(SegmentEncoder.class);
    // then
    assertThat(write.cause()).isInstanceOf(ClosedChannelException.class);
    assertThat(frame.refCnt()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_compress_a_payload_that_lz4_shrinks() throws Exception {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.LZ4));
    ByteBuf frame = NativeProtocolSegments.encode(query(1, compressibleText(10_000)));
    byte[] frameBytes = ByteBufUtil.getBytes(frame);
    // when
    channel.write(frame.readRetainedSlice(Frames.HEADER_LENGTH));
    channel.writeAndFlush(frame);
    // then
    ByteBuf sent = sent(channel);
    assertThat(sent.readableBytes()).isLessThan(frameBytes.length / 4);
    List<RawSegment> segments = readSegments(SegmentCompression.LZ4, sent);
    assertThat(segments).hasSize(1);
    assertThat(segments.get(0).header().isSelfContained).isTrue();
    assertThat(segments.get(0).header().uncompressedPayloadLength).isEqualTo(frameBytes.length);
    assertThat(segments.get(0).payload()).isEqualTo(frameBytes);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_send_a_payload_as_it_is_when_lz4_does_not_shrink_it() throws Exception {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.LZ4));
    ByteBuf frame = NativeProtocolSegments.encode(query(1, incompressibleText(10_000, 7)));
    byte[] frameBytes = ByteBufUtil.getBytes(frame);
    // when
    channel.writeAndFlush(frame);
    // then: uncompressed length 0 says the payload is not compressed
    List<RawSegment> segments = readSegments(SegmentCompression.LZ4, sent(channel));
    assertThat(segments).hasSize(1);
    assertThat(segments.get(0).header().uncompressedPayloadLength).isZero();
    assertThat(segments.get(0).header().payloadLength).isEqualTo(frameBytes.length);
    assertThat(segments.get(0).payload()).isEqualTo(frameBytes);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_refuse_a_message_that_is_not_a_buffer() {
    // given
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    // when
    ChannelFuture write = channel.write("not a frame");
    // then
    assertThat(write.cause()).isInstanceOf(UnsupportedMessageTypeException.class);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_report_bytes_that_are_not_frames() {
    // given a header with a negative body length
    EmbeddedChannel channel = channels.open(new SegmentEncoder(SegmentCompression.NONE));
    ByteBuf notAFrame =
        Unpooled.buffer().writeByte(0x85).writeByte(0).writeShort(1).writeByte(0x08).writeInt(-1);
    // when
    ChannelFuture write = channel.writeAndFlush(notAFrame);
    // then
    assertThat(write.cause()).isInstanceOf(EncoderException.class);
    assertThat(notAFrame.refCnt()).isZero();
    assertThatThrownBy(channel::checkException)
        .isInstanceOf(EncoderException.class)
        .hasMessageContaining("body length -1 at byte 0");
    assertThat(channel.finish()).isFalse();
  }
}
