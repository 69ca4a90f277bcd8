package io.ferry.proxy.segment;

import io.ferry.proxy.compression.Lz4;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import net.jpountz.lz4.LZ4Exception;

/**
 * Turns a stream of protocol v5 segments back into the stream of frame bytes they carry, for the
 * {@link io.ferry.proxy.frame.FrameDecoder} that follows it: each segment's payload is checked
 * (CRC24 of the header, CRC32 of the payload), decompressed if it was, and passed on as a {@link
 * ByteBuf} the next handler owns. An uncompressed payload is a retained slice of the received bytes
 * (no copy); a decompressed one is a new buffer.
 *
 * <p>The self-contained flag is not needed here: frames carry their own lengths, so the frame
 * decoder re-frames the payloads and reassembles a frame split over several segments by itself.
 *
 * <p>Besides payloads it emits one problem message, {@link CorruptSegment}, when a checksum does
 * not match or a compressed payload does not decompress to its announced length. Nothing after it
 * can be trusted, so the decoder drops everything that follows and the connection must be closed.
 * The header's 17-bit length fields cannot announce more than the maximum payload, {@value
 * ModernFraming#MAX_PAYLOAD_LENGTH} bytes, so no segment makes it buffer more than that.
 *
 * <p>Thread policy: a channel handler, used on its channel's event loop only.
 */
public final class SegmentDecoder extends ByteToMessageDecoder {

  /** The stream of segments cannot be trusted from here on. */
  public record CorruptSegment(String reason) {}

  private final SegmentCompression compression;
  private boolean corrupt;

  public SegmentDecoder(SegmentCompression compression) {
    this.compression = compression;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (corrupt) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int headerLength = compression.headerLength();
    if (in.readableBytes() < headerLength) {
      return;
    }
    int start = in.readerIndex();
    int fieldsLength = headerLength - Crc.CRC24_LENGTH;
    // The header CRC is checked before its lengths are believed: a corrupt length could otherwise
    // make the decoder wait for bytes that never come.
    int receivedHeaderCrc = in.getUnsignedMediumLE(start + fieldsLength);
    int headerCrc = Crc.crc24(in, start, fieldsLength);
    if (receivedHeaderCrc != headerCrc) {
      fail(
          in,
          out,
          "header CRC24 " + hex(receivedHeaderCrc) + " (expected: " + hex(headerCrc) + ")");
      return;
    }
    long fields =
        compression == SegmentCompression.LZ4
            ? in.getUnsignedIntLE(start) | (long) in.getUnsignedByte(start + 4) << 32
            : in.getUnsignedMediumLE(start);
    int payloadLength = (int) (fields & ModernFraming.MAX_PAYLOAD_LENGTH);
    int uncompressedLength =
        compression == SegmentCompression.LZ4
            ? (int) (fields >>> 17 & ModernFraming.MAX_PAYLOAD_LENGTH)
            : 0;
    int segmentLength = headerLength + payloadLength + Crc.CRC32_LENGTH;
    if (in.readableBytes() < segmentLength) {
      return;
    }
    int payloadIndex = start + headerLength;
    int receivedPayloadCrc = in.getIntLE(payloadIndex + payloadLength);
    int payloadCrc = Crc.crc32(in, payloadIndex, payloadLength);
    if (receivedPayloadCrc != payloadCrc) {
      fail(
          in,
          out,
          "payload CRC32 "
              + hex(receivedPayloadCrc)
              + " over "
              + payloadLength
              + " bytes (expected: "
              + hex(payloadCrc)
              + ")");
      return;
    }
    if (uncompressedLength == 0) {
      if (payloadLength > 0) {
        out.add(in.retainedSlice(payloadIndex, payloadLength));
      }
    } else {
      ByteBuf payload = decompress(ctx, in, payloadIndex, payloadLength, uncompressedLength);
      if (payload == null) {
        fail(
            in,
            out,
            "LZ4 payload of "
                + payloadLength
                + " bytes does not decompress to the announced "
                + uncompressedLength
                + " bytes");
        return;
      }
      out.add(payload);
    }
    in.skipBytes(segmentLength);
  }

  /** The decompressed payload, or {@code null} if it is not exactly {@code uncompressedLength}. */
  private static ByteBuf decompress(
      ChannelHandlerContext ctx, ByteBuf in, int index, int length, int uncompressedLength) {
    ByteBuf payload = ctx.alloc().ioBuffer(uncompressedLength);
    try {
      ByteBuffer source = in.nioBuffer(index, length);
      int decompressed =
          Lz4.DECOMPRESSOR.decompress(
              source,
              source.position(),
              length,
              payload.nioBuffer(0, uncompressedLength),
              0,
              uncompressedLength);
      if (decompressed == uncompressedLength) {
        return payload.writerIndex(uncompressedLength);
      }
    } catch (LZ4Exception e) {
      // malformed input: reported by the caller
    }
    payload.release();
    return null;
  }

  /** Whether part of a segment has arrived and not all of it. */
  public boolean holdsIncompleteSegment() {
    return !corrupt && actualReadableBytes() > 0;
  }

  private void fail(ByteBuf in, List<Object> out, String reason) {
    corrupt = true;
    in.skipBytes(in.readableBytes());
    out.add(new CorruptSegment(reason));
  }

  private static String hex(int value) {
    return "0x" + Integer.toHexString(value);
  }
}
