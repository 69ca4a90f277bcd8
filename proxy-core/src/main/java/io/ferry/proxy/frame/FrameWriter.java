package io.ferry.proxy.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Writes frames to a channel without flushing each one, then flushes once for everything written
 * since the last flush: one system call per batch of frames read, not per frame.
 *
 * <p>Thread policy: used on its channel's event loop only.
 */
public final class FrameWriter {

  private final Channel channel;
  private boolean needsFlush;

  public FrameWriter(Channel channel) {
    this.channel = channel;
  }

  /** Queues a frame (or a piece of one); takes ownership of {@code buffer}. */
  public void write(ByteBuf buffer) {
    if (!channel.isActive()) {
      buffer.release();
      return;
    }
    channel.write(buffer, channel.voidPromise());
    needsFlush = true;
  }

  /** Sends what was queued, if anything. */
  public void flush() {
    if (needsFlush) {
      needsFlush = false;
      channel.flush();
    }
  }
}
