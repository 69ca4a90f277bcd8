package io.ferry.proxy.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a byte stream into frames (protocol v3 and later header layout), each passed on as a
 * retained slice of the received bytes: no copy.
 *
 * <p>Besides frames it emits two problem messages, so the next handler can answer on the right
 * stream id:
 *
 * <ul>
 *   <li>{@link OversizedFrame}: a frame longer than the configured maximum. Its body is skipped
 *       without being buffered and decoding goes on: only that request fails.
 *   <li>{@link UnreadableStream}: the bytes cannot be framed (unknown version, wrong direction,
 *       negative length). Nothing after it can be trusted, so the decoder drops everything that
 *       follows and the connection must be closed.
 * </ul>
 *
 * <p>Between reads it holds at most one incomplete frame, so never more than {@code maxBodyLength}
 * plus a header: a longer frame's body is skipped as it arrives. Its buffer grows with the bytes
 * received, not with the length a header announces, so a header alone costs nothing. {@link
 * #bufferedBytes()} and {@link #holdsIncompleteFrame()} tell what it holds, so that a client that
 * stops in the middle of a frame can be closed.
 *
 * <p>Thread policy: a channel handler, used on its channel's event loop only.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

  /** A frame whose body exceeded the maximum; its bytes were skipped. */
  public record OversizedFrame(int version, int streamId, int opcode, long bodyLength) {}

  /** The stream cannot be framed from here on. */
  public record UnreadableStream(int versionByte, String reason) {}

  private final int maxBodyLength;
  private final boolean expectResponses;
  private long bytesToSkip;
  private boolean unreadable;
  private long framesDecoded;

  /**
   * @param maxBodyLength the largest body accepted
   * @param expectResponses whether frames must be responses (a cluster connection) or requests (a
   *     client connection)
   */
  public FrameDecoder(int maxBodyLength, boolean expectResponses) {
    this.maxBodyLength = maxBodyLength;
    this.expectResponses = expectResponses;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (unreadable) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (bytesToSkip > 0) {
      int skipped = (int) Math.min(bytesToSkip, in.readableBytes());
      in.skipBytes(skipped);
      bytesToSkip -= skipped;
      if (bytesToSkip > 0) {
        return;
      }
    }
    if (!in.isReadable()) {
      return;
    }
    int start = in.readerIndex();
    int versionByte = in.getUnsignedByte(start);
    // The version is checked on the first byte: v1 and v2 headers are 8 bytes long, so waiting for
    // 9 could wait forever on a client that sends an 8-byte frame with an empty body.
    if (ProtocolVersion.fromCode(versionByte) == null) {
      fail(in, out, versionByte, "unsupported protocol version " + (versionByte & 0x7F));
      return;
    }
    if (((versionByte & 0x80) != 0) != expectResponses) {
      fail(in, out, versionByte, expectResponses ? "expected a response" : "expected a request");
      return;
    }
    if (in.readableBytes() < Frames.HEADER_LENGTH) {
      return;
    }
    int bodyLength = in.getInt(start + 5);
    if (bodyLength < 0) {
      fail(in, out, versionByte, "negative body length " + bodyLength);
      return;
    }
    if (bodyLength > maxBodyLength) {
      out.add(
          new OversizedFrame(
              versionByte & 0x7F,
              in.getShort(start + 2),
              in.getUnsignedByte(start + 4),
              bodyLength));
      in.skipBytes(Frames.HEADER_LENGTH);
      bytesToSkip = bodyLength;
      framesDecoded++;
      return;
    }
    int frameLength = Frames.HEADER_LENGTH + bodyLength;
    if (in.readableBytes() < frameLength) {
      return;
    }
    out.add(in.readRetainedSlice(frameLength));
    framesDecoded++;
  }

  /** The bytes of an incomplete frame held, waiting for the rest of it. */
  public int bufferedBytes() {
    return actualReadableBytes();
  }

  /**
   * Whether part of a frame has arrived and not all of it: some of its bytes are held, or the rest
   * of an oversized frame's body is still to be skipped. Always false once the stream is
   * unreadable.
   */
  public boolean holdsIncompleteFrame() {
    return !unreadable && (actualReadableBytes() > 0 || bytesToSkip > 0);
  }

  /** How many frames, oversized ones included, have been read whole so far. */
  public long framesDecoded() {
    return framesDecoded;
  }

  private void fail(ByteBuf in, List<Object> out, int versionByte, String reason) {
    unreadable = true;
    in.skipBytes(in.readableBytes());
    out.add(new UnreadableStream(versionByte, reason));
  }
}
