package io.ferry.proxy.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.compression.FrameDecompressor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the frame decoder, alone or followed by the frame decompressor of protocol v3/v4
 * compression, with any bytes cut at any places (see {@code proxy-core/FUZZING.md}).
 *
 * <p>Whatever the bytes, nothing throws; each frame passed on is, in order, exactly the stream's
 * bytes (or their decompression), whole, within the maximum body length; a longer frame is an
 * {@link FrameDecoder.OversizedFrame} and its body is skipped; after an {@link
 * FrameDecoder.UnreadableStream} nothing follows; nothing decodable is left behind; and every
 * buffer, including the decoder's own, is released.
 *
 * <p>The input: one byte of options (bit 0: frames are responses, as on a cluster connection; bits
 * 1-2: 1 for LZ4, 2 for Snappy, else no compression), one byte for the maximum body length in units
 * of 16 bytes, one byte whose low 4 bits count the cuts, two bytes per cut (its position in the
 * stream), then the stream itself.
 */
class FrameDecoderFuzzTest {

  @FuzzTest
  void should_frame_any_bytes_cut_anywhere_into_whole_frames_or_problems(byte[] input) {
    // given
    Options options = Options.of(input);
    byte[] stream =
        Arrays.copyOfRange(input, Math.min(input.length, options.headerLength()), input.length);
    // Per-input accounting: what the decoders allocate is counted, and must all be freed.
    UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(allocator);
    channel.pipeline().addLast(new FrameDecoder(options.maxBodyLength(), options.responses()));
    if (options.compression() != null) {
      channel
          .pipeline()
          .addLast(new FrameDecompressor(options.compression(), options.maxBodyLength()));
    }
    List<Object> received = new ArrayList<>();
    try {
      // when
      int start = 0;
      for (int cut : options.cuts(stream.length)) {
        write(channel, allocator, stream, start, cut);
        start = cut;
      }
      write(channel, allocator, stream, start, stream.length);
      for (Object message = channel.readInbound();
          message != null;
          message = channel.readInbound()) {
        received.add(message);
      }
      // then
      new Expectations(stream, options).check(received);
    } finally {
      received.forEach(ReferenceCountUtil::release);
      channel.finishAndReleaseAll();
    }
    assertThat(allocator.metric().usedHeapMemory() + allocator.metric().usedDirectMemory())
        .as("bytes still allocated once everything was released")
        .isZero();
  }

  private static void write(
      EmbeddedChannel channel,
      UnpooledByteBufAllocator allocator,
      byte[] stream,
      int from,
      int to) {
    if (to > from) {
      channel.writeInbound(allocator.heapBuffer(to - from).writeBytes(stream, from, to - from));
    }
  }

  /** How the fuzzer's input configures the decoders. */
  private record Options(
      boolean responses, Compression compression, int maxBodyLength, int[] cutPositions) {

    static Options of(byte[] input) {
      int flags = byteAt(input, 0);
      Compression compression =
          switch (flags >> 1 & 0x3) {
            case 1 -> Compression.LZ4;
            case 2 -> Compression.SNAPPY;
            default -> null;
          };
      int cutCount = byteAt(input, 2) & 0x0F;
      int[] cuts = new int[cutCount];
      for (int i = 0; i < cutCount; i++) {
        cuts[i] = byteAt(input, 3 + 2 * i) << 8 | byteAt(input, 4 + 2 * i);
      }
      return new Options((flags & 1) != 0, compression, byteAt(input, 1) * 16, cuts);
    }

    private static int byteAt(byte[] input, int index) {
      return index < input.length ? input[index] & 0xFF : 0;
    }

    int headerLength() {
      return 3 + 2 * cutPositions.length;
    }

    /** The cut positions that fall inside a stream of this length, in order. */
    int[] cuts(int streamLength) {
      return Arrays.stream(cutPositions)
          .filter(cut -> cut > 0 && cut < streamLength)
          .sorted()
          .distinct()
          .toArray();
    }
  }

  /** What the decoders must have made of the stream, checked message by message. */
  private static final class Expectations {

    private final ByteBuf stream;
    private final Options options;
    private long cursor;

    Expectations(byte[] stream, Options options) {
      this.stream = Unpooled.wrappedBuffer(stream);
      this.options = options;
    }

    void check(List<Object> received) {
      boolean unreadable = false;
      for (Object message : received) {
        assertThat(unreadable).as("a message after UnreadableStream: %s", message).isFalse();
        assertThat(cursor)
            .as("a message after the end of the stream: %s", message)
            .isLessThan(stream.writerIndex());
        int at = (int) cursor;
        if (message instanceof FrameDecoder.UnreadableStream problem) {
          assertThat(problem.versionByte()).isEqualTo(stream.getUnsignedByte(at));
          assertThat(
                  !isReadableFirstByte(at)
                      || (stream.writerIndex() - at >= Frames.HEADER_LENGTH
                          && stream.getInt(at + 5) < 0))
              .as("%s from a readable header", problem)
              .isTrue();
          unreadable = true;
          continue;
        }
        assertThat(stream.writerIndex() - at)
            .as("a message from an incomplete header: %s", message)
            .isGreaterThanOrEqualTo(Frames.HEADER_LENGTH);
        assertThat(isReadableFirstByte(at)).isTrue();
        int bodyLength = stream.getInt(at + 5);
        if (message instanceof FrameDecoder.OversizedFrame oversized) {
          assertThat(oversized)
              .isEqualTo(
                  new FrameDecoder.OversizedFrame(
                      stream.getUnsignedByte(at) & 0x7F,
                      stream.getShort(at + 2),
                      stream.getUnsignedByte(at + 4),
                      bodyLength));
          assertThat(bodyLength).isGreaterThan(options.maxBodyLength());
        } else if (message instanceof ByteBuf frame) {
          checkFrame(frame, at, bodyLength);
        } else if (message instanceof FrameDecompressor.CorruptFrame corrupt) {
          assertThat(isCompressed(at)).as("%s from a frame not compressed", corrupt).isTrue();
          assertThat(corrupt.streamId()).isEqualTo(stream.getShort(at + 2));
          assertThat(bodyLength).isLessThanOrEqualTo(options.maxBodyLength());
        } else {
          throw new AssertionError("unexpected message " + message);
        }
        cursor = at + (long) Frames.HEADER_LENGTH + bodyLength;
      }
      if (!unreadable) {
        checkNothingDecodableLeft();
      }
    }

    private void checkFrame(ByteBuf frame, int at, int bodyLength) {
      assertThat(bodyLength).isBetween(0, options.maxBodyLength());
      assertThat(stream.writerIndex() - at)
          .isGreaterThanOrEqualTo(Frames.HEADER_LENGTH + bodyLength);
      if (isCompressed(at)) {
        // decompressed: the same header but for the flag and the length
        assertThat(frame.getByte(frame.readerIndex())).isEqualTo(stream.getByte(at));
        assertThat(Frames.flags(frame)).isEqualTo(stream.getUnsignedByte(at + 1) & ~0x01);
        assertThat(Frames.streamId(frame)).isEqualTo(stream.getShort(at + 2));
        assertThat(Frames.opcode(frame)).isEqualTo(stream.getUnsignedByte(at + 4));
        assertThat(Frames.bodyLength(frame))
            .isEqualTo(frame.readableBytes() - Frames.HEADER_LENGTH)
            .isLessThanOrEqualTo(options.maxBodyLength());
      } else {
        assertThat(frame.readableBytes()).isEqualTo(Frames.HEADER_LENGTH + bodyLength);
        assertThat(ByteBufUtil.equals(frame, stream.slice(at, frame.readableBytes())))
            .as("the frame holds the stream's bytes")
            .isTrue();
      }
    }

    /** Whether the frame at {@code at} will be decompressed. */
    private boolean isCompressed(int at) {
      return options.compression() != null && (stream.getUnsignedByte(at + 1) & 0x01) != 0;
    }

    /** A first byte the decoder accepts: a known version in the expected direction. */
    private boolean isReadableFirstByte(int at) {
      int versionByte = stream.getUnsignedByte(at);
      return ProtocolVersion.fromCode(versionByte) != null
          && ((versionByte & 0x80) != 0) == options.responses();
    }

    private void checkNothingDecodableLeft() {
      long left = stream.writerIndex() - cursor;
      if (left <= 0) {
        return;
      }
      int at = (int) cursor;
      assertThat(isReadableFirstByte(at)).as("an unreadable first byte was not reported").isTrue();
      if (left >= Frames.HEADER_LENGTH) {
        int bodyLength = stream.getInt(at + 5);
        assertThat(bodyLength).as("a frame left undecoded").isBetween(0, options.maxBodyLength());
        assertThat(left)
            .as("a whole frame left undecoded")
            .isLessThan(Frames.HEADER_LENGTH + (long) bodyLength);
      }
    }
  }
}
