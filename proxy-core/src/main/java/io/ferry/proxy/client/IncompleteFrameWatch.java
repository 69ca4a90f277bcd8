package io.ferry.proxy.client;

import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.HandlerNames;
import io.ferry.proxy.segment.SegmentDecoder;
import io.netty.channel.Channel;
import java.time.Duration;

/**
 * Notices a client connection that stalls in the middle of a frame ({@code
 * incomplete-frame-timeout}): its decoders hold part of a frame (or of a v5 segment) and no frame
 * has completed for the whole timeout, while Ferry was reading from it. Such a client is broken or
 * hostile; closing it frees what its incomplete frame holds, up to {@code max-frame-length}.
 *
 * <p>It is polled, by the connection's periodic timer, rather than armed for every incomplete
 * frame: frames often end mid-read under load, and the poll costs nothing per frame.
 *
 * <p>Thread policy: used on its channel's event loop only.
 */
final class IncompleteFrameWatch {

  private final Channel channel;
  private final long timeoutNanos;
  private long framesAtLastCheck = -1;
  private boolean stalled;
  // When the current stall was first seen.
  private long stalledSinceNanos;

  IncompleteFrameWatch(Channel channel, Duration timeout) {
    this.channel = channel;
    this.timeoutNanos = timeout.toNanos();
  }

  /**
   * Checks the connection's decoders.
   *
   * @param nowNanos {@link System#nanoTime()}
   * @return why the connection must be closed, or {@code null} if it need not be
   */
  String check(long nowNanos) {
    FrameDecoder frames = (FrameDecoder) channel.pipeline().get(HandlerNames.FRAME_DECODER);
    if (frames == null) {
      return null;
    }
    SegmentDecoder segments = (SegmentDecoder) channel.pipeline().get(HandlerNames.SEGMENT_DECODER);
    boolean incomplete =
        frames.holdsIncompleteFrame() || (segments != null && segments.holdsIncompleteSegment());
    long framesDecoded = frames.framesDecoded();
    // A frame that completed since the last check, or reads that Ferry paused (its clusters are
    // slow), start the clock again.
    boolean progressed = framesDecoded != framesAtLastCheck || !channel.config().isAutoRead();
    framesAtLastCheck = framesDecoded;
    if (!incomplete) {
      stalled = false;
      return null;
    }
    if (progressed || !stalled) {
      stalled = true;
      stalledSinceNanos = nowNanos;
      return null;
    }
    if (nowNanos - stalledSinceNanos < timeoutNanos) {
      return null;
    }
    return "a frame has stayed incomplete for "
        + Duration.ofNanos(nowNanos - stalledSinceNanos).toMillis()
        + " ms while Ferry was reading (incomplete-frame-timeout: "
        + Duration.ofNanos(timeoutNanos).toMillis()
        + " ms); "
        + frames.bufferedBytes()
        + " of its bytes were held";
  }
}
