package io.ferry.proxy.rewrite;

import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.frame.QueryParameters;
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
 * timestamp inserted after the serial consistency (the end of the parameters in v3 and v4; the
 * keyspace and now-in-seconds of v5 follow it); nothing else is decoded or copied. Timestamps are
 * microseconds since the epoch, strictly increasing within this instance, like the Java driver's
 * own generator.
 *
 * <p>Thread-safe.
 */
public final class WriteTimestamps {

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
    ProtocolVersion version = ProtocolVersion.fromCode(Frames.version(frame));
    if (version == null) {
      return frame;
    }
    int width = QueryParameters.flagsWidth(version);
    int flagsIndex = QueryParameters.parametersIndex(frame, version) + 2;
    int flags = QueryParameters.flags(frame, flagsIndex, width);
    if ((flags & QueryParameters.DEFAULT_TIMESTAMP) != 0) {
      return frame;
    }
    // The timestamp goes after the serial consistency: the last field in v3/v4, followed by the
    // keyspace and now-in-seconds from v5.
    int timestampIndex = QueryParameters.timestampIndex(frame, flagsIndex + width, flags);
    int bodyIndex = Frames.bodyIndex(frame);
    int end = Frames.endIndex(frame);
    CompositeByteBuf result = allocator.compositeBuffer(6);
    result.addComponent(
        true,
        Frames.header(allocator, frame, Frames.streamId(frame), Frames.bodyLength(frame) + 8));
    result.addComponent(true, frame.retainedSlice(bodyIndex, flagsIndex - bodyIndex));
    int newFlags = flags | QueryParameters.DEFAULT_TIMESTAMP;
    ByteBuf flagBytes = allocator.ioBuffer(width);
    if (width == 4) {
      flagBytes.writeInt(newFlags);
    } else {
      flagBytes.writeByte(newFlags);
    }
    result.addComponent(true, flagBytes);
    if (timestampIndex > flagsIndex + width) {
      result.addComponent(
          true, frame.retainedSlice(flagsIndex + width, timestampIndex - flagsIndex - width));
    }
    result.addComponent(true, allocator.ioBuffer(8).writeLong(next()));
    if (end > timestampIndex) {
      result.addComponent(true, frame.retainedSlice(timestampIndex, end - timestampIndex));
    }
    frame.release();
    return result;
  }
}
