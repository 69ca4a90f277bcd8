package io.ferry.proxy.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.datastax.oss.protocol.internal.Segment;
import com.datastax.oss.protocol.internal.SegmentCodec;
import io.ferry.proxy.frame.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Fuzzes what a v5 connection does with the bytes it receives: the segment decoder, then the frame
 * decoder (see {@code proxy-core/FUZZING.md}). The segments are any payloads, cut anywhere, that
 * the DataStax native-protocol library (the Java driver's) wraps into segments, uncompressed or
 * LZ4, and that arrive cut anywhere; one byte of them may be corrupted.
 *
 * <p>Whatever the payloads: nothing throws; intact segments yield exactly what the frame decoder
 * alone makes of the payloads put end to end; a corrupted byte, wherever it is, yields a {@link
 * SegmentDecoder.CorruptSegment} after a prefix of that, and nothing more; and every buffer is
 * released.
 *
 * <p>The input: one byte of options (bit 0: LZ4; bit 1: corrupt a byte), two bytes for the position
 * of the corrupted byte in the segments, one byte to XOR it with, one byte for the maximum frame
 * body length in units of 16 bytes, one byte whose low 4 bits count the payload cuts and high 4
 * bits count the delivery cuts, two bytes per cut, then the payloads end to end.
 */
class SegmentDecoderFuzzTest {

  @FuzzTest
  void should_unwrap_any_segments_into_the_frames_they_carry_or_a_corrupt_segment(byte[] input) {
    // given
    Options options = Options.of(input);
    byte[] payloads =
        Arrays.copyOfRange(input, Math.min(input.length, options.headerLength()), input.length);
    byte[] segments = segments(payloads, options);
    if (options.corrupt() && segments.length > 0) {
      segments[options.corruptedIndex() % segments.length] ^= options.corruptionMask();
    }
    // when
    List<Object> received = decode(segments, options.deliveryCuts(), options, true);
    List<Object> expected = decode(payloads, new int[0], options, false);
    try {
      // then
      if (options.corrupt() && segments.length > 0) {
        assertThat(received).isNotEmpty();
        assertThat(received.get(received.size() - 1))
            .isInstanceOf(SegmentDecoder.CorruptSegment.class);
        List<Object> beforeCorruption = received.subList(0, received.size() - 1);
        assertThat(beforeCorruption.size()).isLessThanOrEqualTo(expected.size());
        assertSame(beforeCorruption, expected.subList(0, beforeCorruption.size()));
      } else {
        assertSame(received, expected);
      }
    } finally {
      received.forEach(ReferenceCountUtil::release);
      expected.forEach(ReferenceCountUtil::release);
    }
  }

  /**
   * What a channel with the given decoders (the segment decoder when {@code segmented}) passes on
   * when {@code bytes} arrive cut at {@code cuts}; checks that it frees everything it allocated.
   */
  private static List<Object> decode(byte[] bytes, int[] cuts, Options options, boolean segmented) {
    UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(allocator);
    List<ChannelHandler> handlers = new ArrayList<>();
    if (segmented) {
      handlers.add(new SegmentDecoder(options.compression()));
    }
    handlers.add(new FrameDecoder(options.maxBodyLength(), false));
    channel.pipeline().addLast(handlers.toArray(ChannelHandler[]::new));
    int start = 0;
    for (int cut : cuts) {
      if (cut > start && cut < bytes.length) {
        channel.writeInbound(allocator.heapBuffer().writeBytes(bytes, start, cut - start));
        start = cut;
      }
    }
    if (bytes.length > start) {
      channel.writeInbound(allocator.heapBuffer().writeBytes(bytes, start, bytes.length - start));
    }
    List<Object> received = new ArrayList<>();
    for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
      // Copied, so the channel's allocator can be checked now.
      received.add(message instanceof ByteBuf frame ? copyAndRelease(frame) : message);
    }
    channel.finishAndReleaseAll();
    assertThat(allocator.metric().usedHeapMemory() + allocator.metric().usedDirectMemory())
        .as("bytes still allocated once everything was released")
        .isZero();
    return received;
  }

  private static ByteBuf copyAndRelease(ByteBuf frame) {
    try {
      return Unpooled.copiedBuffer(frame);
    } finally {
      frame.release();
    }
  }

  private static void assertSame(List<Object> actual, List<Object> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      if (expected.get(i) instanceof ByteBuf expectedFrame) {
        assertThat(actual.get(i)).isInstanceOf(ByteBuf.class);
        assertThat(ByteBufUtil.hexDump((ByteBuf) actual.get(i)))
            .isEqualTo(ByteBufUtil.hexDump(expectedFrame));
      } else {
        assertThat(actual.get(i)).isEqualTo(expected.get(i));
      }
    }
  }

  /** The payloads cut at the payload cuts (and at the maximum payload length) into segments. */
  private static byte[] segments(byte[] payloads, Options options) {
    SegmentCodec<ByteBuf> codec = NativeProtocolSegments.segmentCodec(options.compression());
    ByteBuf stream = Unpooled.buffer();
    List<Object> parts = new ArrayList<>();
    int start = 0;
    for (int cut : options.payloadCuts(payloads.length)) {
      for (int end = Math.min(cut, start + ModernFraming.MAX_PAYLOAD_LENGTH);
          start < cut;
          end = Math.min(cut, start + ModernFraming.MAX_PAYLOAD_LENGTH)) {
        // Self-contained or not only matters to the reader of frames, not to the segment decoder.
        codec.encode(
            new Segment<>(Unpooled.wrappedBuffer(payloads, start, end - start), true), parts);
        start = end;
      }
    }
    for (Object part : parts) {
      ByteBuf bytes = (ByteBuf) part;
      stream.writeBytes(bytes);
      bytes.release();
    }
    try {
      return ByteBufUtil.getBytes(stream);
    } finally {
      stream.release();
    }
  }

  private record Options(
      int flags,
      int corruptedIndex,
      int corruptionMask,
      int maxBodyLength,
      int[] payloadCutPositions,
      int[] deliveryCuts) {

    static Options of(byte[] input) {
      int cutCounts = byteAt(input, 5);
      int payloadCutCount = cutCounts & 0x0F;
      int deliveryCutCount = cutCounts >> 4;
      int[] payloadCuts = new int[payloadCutCount];
      int[] deliveryCuts = new int[deliveryCutCount];
      int index = 6;
      for (int i = 0; i < payloadCutCount; i++, index += 2) {
        payloadCuts[i] = shortAt(input, index);
      }
      for (int i = 0; i < deliveryCutCount; i++, index += 2) {
        deliveryCuts[i] = shortAt(input, index);
      }
      Arrays.sort(deliveryCuts);
      return new Options(
          byteAt(input, 0),
          shortAt(input, 1),
          Math.max(1, byteAt(input, 3)),
          byteAt(input, 4) * 16,
          payloadCuts,
          deliveryCuts);
    }

    private static int byteAt(byte[] input, int index) {
      return index < input.length ? input[index] & 0xFF : 0;
    }

    private static int shortAt(byte[] input, int index) {
      return byteAt(input, index) << 8 | byteAt(input, index + 1);
    }

    SegmentCompression compression() {
      return (flags & 1) != 0 ? SegmentCompression.LZ4 : SegmentCompression.NONE;
    }

    boolean corrupt() {
      return (flags & 2) != 0;
    }

    int headerLength() {
      return 6 + 2 * (payloadCutPositions.length + deliveryCuts.length);
    }

    /** Where payloads end: the cuts inside the payloads, in order, then their end. */
    int[] payloadCuts(int length) {
      return IntStream.concat(
              Arrays.stream(payloadCutPositions).filter(cut -> cut > 0 && cut < length),
              IntStream.of(length))
          .sorted()
          .distinct()
          .toArray();
    }
  }
}
