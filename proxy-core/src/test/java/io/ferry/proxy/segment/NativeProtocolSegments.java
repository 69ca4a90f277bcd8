package io.ferry.proxy.segment;

import com.datastax.oss.protocol.internal.Compressor;
import com.datastax.oss.protocol.internal.CrcMismatchException;
import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.FrameCodec;
import com.datastax.oss.protocol.internal.Segment;
import com.datastax.oss.protocol.internal.SegmentBuilder;
import com.datastax.oss.protocol.internal.SegmentCodec;
import com.datastax.oss.protocol.internal.request.Query;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.ByteBufPrimitiveCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jpountz.lz4.LZ4Factory;

/**
 * The other side of the wire in these tests: v5 frames and segments encoded and decoded by the
 * DataStax native-protocol library (the Java driver's), independently of Ferry's handlers.
 */
final class NativeProtocolSegments {

  static final ByteBufPrimitiveCodec CODEC = new ByteBufPrimitiveCodec(ByteBufAllocator.DEFAULT);

  /** Encodes requests. */
  static final FrameCodec<ByteBuf> CLIENT_FRAMES =
      FrameCodec.defaultClient(CODEC, Compressor.none());

  /** Decodes requests. */
  static final FrameCodec<ByteBuf> SERVER_FRAMES =
      FrameCodec.defaultServer(CODEC, Compressor.none());

  private NativeProtocolSegments() {}

  /** A v5 QUERY request. */
  static Frame query(int streamId, String text) {
    return Frame.forRequest(5, streamId, false, Frame.NO_PAYLOAD, new Query(text));
  }

  /** CQL-looking text that LZ4 shrinks. */
  static String compressibleText(int length) {
    StringBuilder text = new StringBuilder(length);
    while (text.length() < length) {
      text.append("SELECT v FROM ks.table WHERE k = ").append(text.length() % 97).append("; ");
    }
    return text.substring(0, length);
  }

  /** Random letters, which LZ4 does not shrink: segments go out with an uncompressed payload. */
  static String incompressibleText(int length, long seed) {
    Random random = new Random(seed);
    char[] text = new char[length];
    for (int i = 0; i < length; i++) {
      text[i] = (char) (' ' + random.nextInt(95));
    }
    return new String(text);
  }

  /** A frame encoded on its own; the caller owns it. */
  static ByteBuf encode(Frame frame) {
    return CLIENT_FRAMES.encode(frame);
  }

  /** What the test compares: frames have no equals. */
  static String describe(Frame frame) {
    return frame.protocolVersion + "/" + frame.streamId + "/" + ((Query) frame.message).query;
  }

  static List<String> describe(List<Frame> frames) {
    return frames.stream().map(NativeProtocolSegments::describe).toList();
  }

  /** Decodes one frame from its bytes, releasing them. */
  static Frame decodeFrame(ByteBuf frame) {
    try {
      return SERVER_FRAMES.decode(frame);
    } finally {
      frame.release();
    }
  }

  static SegmentCodec<ByteBuf> segmentCodec(SegmentCompression compression) {
    return new SegmentCodec<>(
        CODEC, compression == SegmentCompression.LZ4 ? new Lz4() : Compressor.none());
  }

  /**
   * The segments the library's builder and codec make of {@code frames}, as the Java driver sends
   * them; the caller owns the result.
   */
  static ByteBuf encodeSegments(SegmentCompression compression, List<Frame> frames) {
    SegmentCodec<ByteBuf> segmentCodec = segmentCodec(compression);
    CompositeByteBuf stream = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    SegmentBuilder<ByteBuf, Void> builder =
        new SegmentBuilder<>(CODEC, CLIENT_FRAMES) {
          @Override
          protected Void mergeStates(List<Void> frameStates) {
            return null;
          }

          @Override
          protected List<Void> splitState(Void frameState, int sliceCount) {
            return Collections.nCopies(sliceCount, null);
          }

          @Override
          protected void processSegment(Segment<ByteBuf> segment, Void segmentState) {
            List<Object> parts = new ArrayList<>();
            segmentCodec.encode(segment, parts);
            for (Object part : parts) {
              stream.addComponent(true, (ByteBuf) part);
            }
          }
        };
    for (Frame frame : frames) {
      builder.addFrame(frame, null);
    }
    builder.flush();
    return stream;
  }

  /** A segment as the library reads it: its header, and its payload, decompressed. */
  record RawSegment(SegmentCodec.Header header, byte[] payload) {}

  /** Reads segments with the library's codec, which checks both CRCs. Releases {@code stream}. */
  static List<RawSegment> readSegments(SegmentCompression compression, ByteBuf stream)
      throws CrcMismatchException {
    SegmentCodec<ByteBuf> segmentCodec = segmentCodec(compression);
    List<RawSegment> segments = new ArrayList<>();
    try {
      while (stream.isReadable()) {
        SegmentCodec.Header header = segmentCodec.decodeHeader(stream);
        Segment<ByteBuf> segment =
            segmentCodec.decode(
                header, stream.readRetainedSlice(header.payloadLength + SegmentCodec.CRC32_LENGTH));
        segments.add(new RawSegment(header, ByteBufUtil.getBytes(segment.payload)));
        segment.payload.release();
      }
      return segments;
    } finally {
      stream.release();
    }
  }

  /** What the library reads from a stream of segments. */
  record Decoded(List<Frame> frames, List<RawSegment> segments) {

    List<Boolean> selfContained() {
      return segments.stream().map(segment -> segment.header().isSelfContained).toList();
    }

    List<Integer> payloadLengths() {
      return segments.stream().map(segment -> segment.header().payloadLength).toList();
    }
  }

  /**
   * Reads segments as the Java driver does: frames from self-contained ones, a large frame from the
   * non-self-contained ones that carry it. Releases {@code stream}.
   */
  static Decoded decodeSegments(SegmentCompression compression, ByteBuf stream)
      throws CrcMismatchException {
    List<RawSegment> segments = readSegments(compression, stream);
    List<Frame> frames = new ArrayList<>();
    ByteBuf largeFrame = Unpooled.buffer();
    for (RawSegment segment : segments) {
      if (segment.header().isSelfContained) {
        ByteBuf payload = Unpooled.wrappedBuffer(segment.payload());
        while (payload.isReadable()) {
          frames.add(SERVER_FRAMES.decode(payload));
        }
        payload.release();
      } else {
        largeFrame.writeBytes(segment.payload());
        if (largeFrame.readableBytes() >= Frames.HEADER_LENGTH
            && largeFrame.readableBytes()
                == Frames.HEADER_LENGTH + CLIENT_FRAMES.decodeBodySize(largeFrame)) {
          frames.add(SERVER_FRAMES.decode(largeFrame));
          largeFrame.clear();
        }
      }
    }
    boolean leftOver = largeFrame.isReadable();
    largeFrame.release();
    if (leftOver) {
      throw new AssertionError("non-self-contained segments end in the middle of a frame");
    }
    return new Decoded(frames, segments);
  }

  /**
   * The library's compressor seam for LZ4, on Netty buffers, with the pure-Java LZ4 (Ferry uses the
   * fastest available). Only the segment methods are used in v5.
   */
  static final class Lz4 implements Compressor<ByteBuf> {

    private static final LZ4Factory LZ4 = LZ4Factory.safeInstance();

    @Override
    public String algorithm() {
      return "lz4";
    }

    @Override
    public ByteBuf compress(ByteBuf uncompressed) {
      throw new UnsupportedOperationException("frame compression is not used with segments");
    }

    @Override
    public ByteBuf decompress(ByteBuf compressed) {
      throw new UnsupportedOperationException("frame compression is not used with segments");
    }

    @Override
    public ByteBuf compressWithoutLength(ByteBuf uncompressed) {
      byte[] input = ByteBufUtil.getBytes(uncompressed);
      uncompressed.skipBytes(input.length);
      return Unpooled.wrappedBuffer(LZ4.fastCompressor().compress(input));
    }

    @Override
    public ByteBuf decompressWithoutLength(ByteBuf compressed, int uncompressedLength) {
      byte[] input = ByteBufUtil.getBytes(compressed);
      byte[] output = new byte[uncompressedLength];
      LZ4.safeDecompressor().decompress(input, 0, input.length, output, 0, uncompressedLength);
      return Unpooled.wrappedBuffer(output);
    }
  }
}
