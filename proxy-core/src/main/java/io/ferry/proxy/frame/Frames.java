package io.ferry.proxy.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Reads and patches a frame held in a {@link ByteBuf} whose reader index is at the start of its
 * 9-byte header ({@code version, flags, stream, opcode, length}, protocol v3 and later).
 *
 * <p>Nothing here moves a buffer's reader or writer index.
 */
public final class Frames {

  public static final int HEADER_LENGTH = 9;

  public static final int FLAG_COMPRESSED = 0x01;
  public static final int FLAG_TRACING = 0x02;
  public static final int FLAG_CUSTOM_PAYLOAD = 0x04;
  public static final int FLAG_WARNING = 0x08;

  /** The stream id of events pushed by a server. */
  public static final int EVENT_STREAM_ID = -1;

  private Frames() {}

  /** The version byte without the direction bit. */
  public static int version(ByteBuf frame) {
    return frame.getByte(frame.readerIndex()) & 0x7F;
  }

  public static int flags(ByteBuf frame) {
    return frame.getByte(frame.readerIndex() + 1) & 0xFF;
  }

  public static int streamId(ByteBuf frame) {
    return frame.getShort(frame.readerIndex() + 2);
  }

  /** Rewrites the stream id in place: only for a buffer that no one else will send. */
  public static void setStreamId(ByteBuf frame, int streamId) {
    frame.setShort(frame.readerIndex() + 2, streamId);
  }

  public static int opcode(ByteBuf frame) {
    return frame.getByte(frame.readerIndex() + 4) & 0xFF;
  }

  public static int bodyLength(ByteBuf frame) {
    return frame.getInt(frame.readerIndex() + 5);
  }

  /** The absolute index of the first body byte. */
  public static int bodyIndex(ByteBuf frame) {
    return frame.readerIndex() + HEADER_LENGTH;
  }

  /**
   * A new header for the same frame with another stream id, so that one received frame can go to
   * two connections with different ids while both share the body. The caller owns the result.
   */
  public static ByteBuf copyHeader(ByteBufAllocator allocator, ByteBuf frame, int streamId) {
    ByteBuf header = allocator.ioBuffer(HEADER_LENGTH, HEADER_LENGTH);
    header.writeBytes(frame, frame.readerIndex(), HEADER_LENGTH);
    header.setShort(2, streamId);
    return header;
  }

  /** The frame's body as a retained slice: the caller owns it, the bytes are shared. */
  public static ByteBuf retainedBody(ByteBuf frame) {
    return frame.retainedSlice(bodyIndex(frame), bodyLength(frame));
  }

  /**
   * A new header followed by a body: for frames Ferry rewrites (a different prepared id for target,
   * say). {@code flags}, {@code opcode} and the version come from {@code original}; the caller owns
   * the result.
   */
  public static ByteBuf header(
      ByteBufAllocator allocator, ByteBuf original, int streamId, int bodyLength) {
    ByteBuf header = allocator.ioBuffer(HEADER_LENGTH, HEADER_LENGTH);
    header.writeBytes(original, original.readerIndex(), 2);
    header.writeShort(streamId);
    header.writeByte(opcode(original));
    header.writeInt(bodyLength);
    return header;
  }

  /**
   * The index of the message inside a request body: after the custom payload, if any. Request
   * bodies carry no tracing id or warnings.
   */
  public static int requestMessageIndex(ByteBuf frame) {
    int index = bodyIndex(frame);
    if ((flags(frame) & FLAG_CUSTOM_PAYLOAD) != 0) {
      index = ProtocolPrimitives.skipBytesMap(frame, index);
    }
    return index;
  }

  /**
   * The index of the message inside a response body: after the tracing id, the warnings and the
   * custom payload, in that order, each present when its flag is set.
   */
  public static int responseMessageIndex(ByteBuf frame) {
    int flags = flags(frame);
    int index = bodyIndex(frame);
    if ((flags & FLAG_TRACING) != 0) {
      index += 16;
    }
    if ((flags & FLAG_WARNING) != 0) {
      index = ProtocolPrimitives.skipStringList(frame, index);
    }
    if ((flags & FLAG_CUSTOM_PAYLOAD) != 0) {
      index = ProtocolPrimitives.skipBytesMap(frame, index);
    }
    return index;
  }

  /** The absolute index just past the frame. */
  public static int endIndex(ByteBuf frame) {
    return bodyIndex(frame) + bodyLength(frame);
  }
}
