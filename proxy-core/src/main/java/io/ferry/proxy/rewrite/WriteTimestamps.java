package io.ferry.proxy.rewrite;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import io.ferry.proxy.frame.BatchLayout;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.ferry.proxy.frame.ProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives a write without a client-side timestamp one, so that origin and target store the same write
 * time: otherwise each cluster stamps the write when it applies it, two different values, and later
 * last-write-wins conflicts resolve differently on the two clusters.
 *
 * <p>The QUERY, EXECUTE or BATCH frame gets the {@code WITH_DEFAULT_TIMESTAMP} flag and the
 * timestamp appended (it is the last query parameter in v3 and v4); nothing else is decoded or
 * copied. Timestamps are microseconds since the epoch, strictly increasing within this instance,
 * like the Java driver's own generator.
 *
 * <p>Thread-safe.
 */
public final class WriteTimestamps {

  static final int WITH_DEFAULT_TIMESTAMP = 0x20;

  private final AtomicLong last = new AtomicLong();

  /** The next timestamp: the current time in microseconds, or one more than the last one given. */
  public long next() {
    long now = System.currentTimeMillis() * 1000;
    while (true) {
      long previous = last.get();
      long next = now > previous ? now : previous + 1;
      if (last.compareAndSet(previous, next)) {
        return next;
      }
    }
  }

  /**
   * The frame with a default timestamp: {@code frame} itself when it has one already, else a new
   * frame (made of slices of {@code frame}, which is released). Either way the caller owns the
   * result.
   *
   * @throws IndexOutOfBoundsException for a malformed body
   */
  public ByteBuf ensureTimestamp(ByteBufAllocator allocator, ByteBuf frame) {
    if (!isV3OrV4(frame)) {
      return frame;
    }
    int flagsIndex = flagsIndex(frame);
    int flags = frame.getUnsignedByte(flagsIndex);
    if ((flags & WITH_DEFAULT_TIMESTAMP) != 0) {
      return frame;
    }
    int bodyIndex = Frames.bodyIndex(frame);
    int end = Frames.endIndex(frame);
    CompositeByteBuf result = allocator.compositeBuffer(5);
    result.addComponent(
        true,
        Frames.header(allocator, frame, Frames.streamId(frame), Frames.bodyLength(frame) + 8));
    result.addComponent(true, frame.retainedSlice(bodyIndex, flagsIndex - bodyIndex));
    result.addComponent(true, allocator.ioBuffer(1).writeByte(flags | WITH_DEFAULT_TIMESTAMP));
    if (end > flagsIndex + 1) {
      result.addComponent(true, frame.retainedSlice(flagsIndex + 1, end - flagsIndex - 1));
    }
    result.addComponent(true, allocator.ioBuffer(8).writeLong(next()));
    frame.release();
    return result;
  }

  private static boolean isV3OrV4(ByteBuf frame) {
    int version = Frames.version(frame);
    return version == ProtocolVersion.V3.code() || version == ProtocolVersion.V4.code();
  }

  /** The index of the one-byte flags of a QUERY's, EXECUTE's or BATCH's parameters (v3, v4). */
  static int flagsIndex(ByteBuf frame) {
    int index = Frames.requestMessageIndex(frame);
    int parameters =
        switch (Frames.opcode(frame)) {
          case Opcode.QUERY -> ProtocolPrimitives.skipLongString(frame, index);
          case Opcode.EXECUTE -> ProtocolPrimitives.skipShortBytes(frame, index);
          case Opcode.BATCH -> BatchLayout.of(frame).parametersIndex();
          default ->
              throw new IllegalArgumentException(
                  "not a QUERY, EXECUTE or BATCH: opcode " + Frames.opcode(frame));
        };
    // [short consistency] then [byte flags]
    int flagsIndex = parameters + 2;
    if (flagsIndex >= Frames.endIndex(frame)) {
      throw new IndexOutOfBoundsException("no query parameter flags in the frame");
    }
    return flagsIndex;
  }
}
