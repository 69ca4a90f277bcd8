package io.ferry.proxy.segment;

import static io.ferry.proxy.segment.NativeProtocolSegments.compressibleText;
import static io.ferry.proxy.segment.NativeProtocolSegments.describe;
import static io.ferry.proxy.segment.NativeProtocolSegments.encodeSegments;
import static io.ferry.proxy.segment.NativeProtocolSegments.query;
import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.Frame;
import io.ferry.proxy.frame.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SegmentDecoderTest {

  @RegisterExtension final OpenChannels channels = new OpenChannels();

  private static final List<Frame> FIRST_SEGMENT =
      List.of(query(1, "SELECT * FROM ks.a"), query(2, compressibleText(300)));
  private static final List<Frame> SECOND_SEGMENT = List.of(query(3, "SELECT * FROM ks.b"));
  private static final List<String> ALL_FRAMES =
      describe(List.of(FIRST_SEGMENT.get(0), FIRST_SEGMENT.get(1), SECOND_SEGMENT.get(0)));

  /** The inbound stack of a v5 connection: segments, then frames. */
  private EmbeddedChannel inbound(SegmentCompression compression) {
    return channels.open(new SegmentDecoder(compression), new FrameDecoder(1024 * 1024, false));
  }

  /** Two segments, in one heap buffer the test may alter. */
  private static ByteBuf twoSegments(SegmentCompression compression) {
    ByteBuf first = encodeSegments(compression, FIRST_SEGMENT);
    ByteBuf second = encodeSegments(compression, SECOND_SEGMENT);
    ByteBuf stream = Unpooled.buffer().writeBytes(first).writeBytes(second);
    first.release();
    second.release();
    return stream;
  }

  private static List<String> readFrames(EmbeddedChannel channel) {
    List<Frame> frames = new ArrayList<>();
    for (ByteBuf frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
      frames.add(NativeProtocolSegments.decodeFrame(frame));
    }
    return describe(frames);
  }

  @ParameterizedTest
  @EnumSource(SegmentCompression.class)
  void should_yield_the_frames_sent_when_the_bytes_arrive_one_at_a_time(
      SegmentCompression compression) {
    // given
    EmbeddedChannel channel = inbound(compression);
    ByteBuf stream = twoSegments(compression);
    // when
    while (stream.isReadable()) {
      channel.writeInbound(stream.readRetainedSlice(1));
    }
    stream.release();
    // then
    assertThat(readFrames(channel)).isEqualTo(ALL_FRAMES);
    assertThat(channel.finish()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(SegmentCompression.class)
  void should_yield_the_frames_sent_whatever_offset_the_bytes_are_split_at(
      SegmentCompression compression) {
    ByteBuf stream = twoSegments(compression);
    int length = stream.readableBytes();
    for (int split = 1; split < length; split++) {
      // given
      EmbeddedChannel channel = inbound(compression);
      // when
      channel.writeInbound(stream.retainedSlice(0, split));
      channel.writeInbound(stream.retainedSlice(split, length - split));
      // then
      assertThat(readFrames(channel)).as("split at byte %d", split).isEqualTo(ALL_FRAMES);
      assertThat(channel.finish()).isFalse();
    }
    stream.release();
  }

  @Test
  void should_pass_uncompressed_payloads_on_without_copying_them() {
    // given
    EmbeddedChannel channel = inbound(SegmentCompression.NONE);
    ByteBuf received = twoSegments(SegmentCompression.NONE);
    // when
    channel.writeInbound(received.retain());
    // then the frames are slices of the received bytes
    for (int frames = 0; frames < 3; frames++) {
      ByteBuf frame = channel.readInbound();
      assertThat(frame.hasArray()).isTrue();
      assertThat(frame.array()).isSameAs(received.array());
      frame.release();
    }
    received.release();
    assertThat(channel.finish()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(SegmentCompression.class)
  void should_report_a_header_that_fails_its_crc_and_drop_everything_after_it(
      SegmentCompression compression) {
    // given a bit flipped in the first segment's payload length
    EmbeddedChannel channel = inbound(compression);
    ByteBuf stream = twoSegments(compression);
    stream.setByte(1, stream.getByte(1) ^ 0x04);
    ByteBuf valid = encodeSegments(compression, SECOND_SEGMENT);
    // when
    channel.writeInbound(stream);
    channel.writeInbound(valid);
    // then
    SegmentDecoder.CorruptSegment problem = channel.readInbound();
    assertThat(problem.reason()).startsWith("header CRC24 0x").contains("(expected: 0x");
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(stream.refCnt()).isZero();
    assertThat(valid.refCnt()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(SegmentCompression.class)
  void should_report_a_payload_that_fails_its_crc_and_drop_everything_after_it(
      SegmentCompression compression) {
    // given a byte changed in the first segment's payload
    EmbeddedChannel channel = inbound(compression);
    ByteBuf stream = twoSegments(compression);
    int payloadIndex = compression.headerLength() + 2;
    stream.setByte(payloadIndex, stream.getByte(payloadIndex) + 1);
    ByteBuf valid = encodeSegments(compression, SECOND_SEGMENT);
    // when
    channel.writeInbound(stream);
    channel.writeInbound(valid);
    // then
    SegmentDecoder.CorruptSegment problem = channel.readInbound();
    assertThat(problem.reason()).startsWith("payload CRC32 0x");
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(stream.refCnt()).isZero();
    assertThat(valid.refCnt()).isZero();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void should_report_an_lz4_payload_that_does_not_decompress_to_its_announced_length() {
    // given a well-formed segment whose header announces one byte too many
    ByteBuf frame = NativeProtocolSegments.encode(query(1, compressibleText(500)));
    byte[] compressed =
        LZ4Factory.safeInstance().fastCompressor().compress(ByteBufUtil.getBytes(frame));
    int announced = frame.readableBytes() + 1;
    long fields = compressed.length | (long) announced << 17 | 1L << 34;
    frame.release();
    ByteBuf segment = Unpooled.buffer();
    segment.writeIntLE((int) fields).writeByte((int) (fields >>> 32));
    segment.writeMediumLE(Crc.crc24(segment, 0, 5));
    segment.writeBytes(compressed);
    segment.writeIntLE(Crc.crc32(segment, 8, compressed.length));
    EmbeddedChannel channel = inbound(SegmentCompression.LZ4);
    // when
    channel.writeInbound(segment);
    // then
    SegmentDecoder.CorruptSegment problem = channel.readInbound();
    assertThat(problem.reason())
        .isEqualTo(
            "LZ4 payload of "
                + compressed.length
                + " bytes does not decompress to the announced "
                + announced
                + " bytes");
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(channel.finish()).isFalse();
  }
}
