package io.ferry.proxy.cluster;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.compression.FrameCompressor;
import io.ferry.proxy.compression.FrameDecompressor;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.FrameWriter;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.metrics.NodeMetrics;
import io.ferry.proxy.segment.ModernFraming;
import io.ferry.proxy.segment.SegmentCompression;
import io.ferry.proxy.segment.SegmentDecoder;
import io.ferry.proxy.stream.StreamIdPool;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's connection to one node of origin or target: maps its requests to stream
 * ids from a bounded pool, hands responses back to its {@link Listener}, sends heartbeats when idle
 * and keeps timed-out requests' ids reserved (orphaned) until their answers arrive.
 *
 * <p>Thread policy: created and used on the event loop that also serves its client connection; no
 * method may be called from another thread.
 */
public final class ClusterConnection extends ChannelInboundHandlerAdapter {

  /** What a client connection learns from its cluster connections. */
  public interface Listener {

    /** A response to a request sent with {@link #reserve}; the listener owns {@code frame}. */
    void onResponse(ClusterConnection connection, ByteBuf frame, Object request);

    /** An event pushed by the node (stream id -1); the listener owns {@code frame}. */
    void onEvent(ClusterConnection connection, ByteBuf frame);

    /** The connection closed (node gone, unreadable bytes, or unresponsive). */
    void onClosed(ClusterConnection connection, String reason);

    /** The channel became writable or unwritable, for back-pressure on the client. */
    void onWritabilityChanged(ClusterConnection connection);

    /** A read from the node ended: the moment to flush what was written to the client. */
    void onReadComplete(ClusterConnection connection);
  }

  private static final Logger LOG = LoggerFactory.getLogger(ClusterConnection.class);

  static final String DECOMPRESSOR = "decompressor";
  static final String COMPRESSOR = "compressor";

  private static final Object HEARTBEAT = new Object();
  private static final Object ORPHAN = new Object();

  private final ClusterRole role;
  private final Channel channel;
  private final String logPrefix;
  private final StreamIdPool streamIds;
  private final Object[] requests;
  private final int maxOrphans;
  private final int protocolVersion;
  private final int maxFrameLength;
  private Compression compression;
  private final boolean modernFraming;
  private boolean segmented;
  private final NodeMetrics metrics;
  private Listener listener;
  private int orphans;
  private boolean heartbeatInFlight;
  private String closeReason;
  private boolean counted;
  private final FrameWriter writer;

  ClusterConnection(
      ClusterRole role,
      Channel channel,
      String logPrefix,
      int maxStreamIds,
      int maxOrphans,
      int protocolVersion,
      int maxFrameLength,
      NodeMetrics metrics) {
    this.role = role;
    this.channel = channel;
    this.logPrefix = logPrefix;
    this.streamIds = new StreamIdPool(maxStreamIds);
    this.requests = new Object[maxStreamIds];
    this.maxOrphans = maxOrphans;
    this.protocolVersion = protocolVersion;
    this.maxFrameLength = maxFrameLength;
    this.modernFraming = ProtocolVersion.fromCode(protocolVersion).hasModernFraming();
    this.metrics = metrics;
    this.writer = new FrameWriter(channel);
  }

  /** Called once, before any request is sent. */
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  public ClusterRole role() {
    return role;
  }

  public InetSocketAddress node() {
    return (InetSocketAddress) channel.remoteAddress();
  }

  /** The meters of the node this connection reaches. */
  public NodeMetrics metrics() {
    return metrics;
  }

  public boolean isWritable() {
    return channel.isWritable();
  }

  public boolean isOpen() {
    return channel.isActive() && closeReason == null;
  }

  /**
   * Reserves a stream id for {@code request}.
   *
   * @return the id, or -1 when every id is in use (the caller answers OVERLOADED)
   */
  public int reserve(Object request) {
    int id = streamIds.acquire();
    if (id >= 0) {
      requests[id] = request;
      metrics.streamIdsInUse(1);
    }
    return id;
  }

  /** Gives back an id reserved for a request that was finally not sent. */
  public void unreserve(int streamId) {
    requests[streamId] = null;
    streamIds.release(streamId);
    metrics.streamIdsInUse(-1);
  }

  /**
   * Writes a frame (or a piece of one) without flushing; {@link #flush()} sends it. Takes ownership
   * of {@code buffer}.
   */
  public void write(ByteBuf buffer) {
    writer.write(buffer);
  }

  /** Flushes what {@link #write} queued, if anything. */
  public void flush() {
    writer.flush();
  }

  /**
   * The request on {@code streamId} timed out: its id stays reserved until the late answer arrives,
   * then that answer is dropped. Too many orphans mean the node is not answering, and the
   * connection is closed.
   */
  public void orphan(int streamId) {
    if (requests[streamId] == null || requests[streamId] == ORPHAN) {
      return;
    }
    requests[streamId] = ORPHAN;
    orphans++;
    metrics.orphans(1);
    if (orphans > maxOrphans) {
      close(
          orphans + " requests without an answer (max-orphaned-stream-ids is " + maxOrphans + ")");
    }
  }

  /** Stream ids in use, orphans included. */
  public int streamIdsInUse() {
    return streamIds.inUse();
  }

  public int orphans() {
    return orphans;
  }

  /** Closes the connection; the listener hears of it once, with {@code reason}. */
  public void close(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    channel.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof ByteBuf frame)) {
      ReferenceCountUtil.release(message);
      if (message instanceof FrameDecoder.UnreadableStream unreadable) {
        close("unreadable bytes from the node: " + unreadable.reason());
      } else if (message instanceof FrameDecoder.OversizedFrame oversized) {
        onOversizedResponse(oversized);
      } else if (message instanceof SegmentDecoder.CorruptSegment corrupt) {
        close("corrupt segment from the node: " + corrupt.reason());
      } else if (message instanceof FrameDecompressor.CorruptFrame corrupt) {
        close(
            "corrupt compressed response on stream id "
                + corrupt.streamId()
                + ": "
                + corrupt.reason());
      }
      return;
    }
    int streamId = Frames.streamId(frame);
    if (modernFraming && !segmented) {
      // v5: everything after the handshake answer travels in segments, LZ4-compressed if the
      // STARTUP asked for compression.
      segmented =
          ModernFraming.installOnHandshakeAnswer(
              channel.pipeline(),
              ClusterConnector.FRAME_DECODER,
              Frames.opcode(frame),
              SegmentCompression.of(compression));
    }
    if (streamId == Frames.EVENT_STREAM_ID) {
      listener.onEvent(this, frame);
      return;
    }
    Object request = streamId >= 0 && streamId < requests.length ? requests[streamId] : null;
    if (request == null) {
      LOG.warn(
          "{} dropped a response on stream id {} that no request is waiting for",
          logPrefix,
          streamId);
      frame.release();
      return;
    }
    requests[streamId] = null;
    streamIds.release(streamId);
    metrics.streamIdsInUse(-1);
    if (request == HEARTBEAT) {
      heartbeatInFlight = false;
      frame.release();
    } else if (request == ORPHAN) {
      orphans--;
      metrics.orphans(-1);
      LOG.debug(
          "{} late response on stream id {} dropped (its request had timed out)",
          logPrefix,
          streamId);
      frame.release();
    } else {
      listener.onResponse(this, frame, request);
    }
  }

  private void onOversizedResponse(FrameDecoder.OversizedFrame oversized) {
    // The response's bytes were skipped, so its request can never complete normally; the request
    // times out on the client side with an explicit error, and its id becomes an orphan.
    LOG.error(
        "{} skipped a response of {} bytes on stream id {}: larger than the protocol allows",
        logPrefix,
        oversized.bodyLength(),
        oversized.streamId());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      sendHeartbeat();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  private void sendHeartbeat() {
    if (heartbeatInFlight) {
      close("no answer to a heartbeat within the heartbeat interval");
      return;
    }
    int id = reserve(HEARTBEAT);
    if (id < 0) {
      // Every id is in use, so the connection is not idle on the node's side either.
      return;
    }
    heartbeatInFlight = true;
    ByteBuf options = channel.alloc().ioBuffer(Frames.HEADER_LENGTH, Frames.HEADER_LENGTH);
    options
        .writeByte(protocolVersion)
        .writeByte(0)
        .writeShort(id)
        .writeByte(ProtocolConstants.Opcode.OPTIONS)
        .writeInt(0);
    LOG.trace("{} heartbeat on stream id {}", logPrefix, id);
    channel.writeAndFlush(options, channel.voidPromise());
  }

  /**
   * The STARTUP was written: from now on frames in both directions may be compressed with {@code
   * compression} (v3 and v4; {@code null} for none).
   */
  public void startupSent(Compression compression) {
    this.compression = compression;
    if (compression == null || modernFraming) {
      return;
    }
    channel
        .pipeline()
        .addAfter(
            ClusterConnector.FRAME_DECODER,
            DECOMPRESSOR,
            new FrameDecompressor(compression, maxFrameLength))
        .addBefore(ClusterConnector.CLUSTER, COMPRESSOR, new FrameCompressor(compression));
  }

  /** Stops or resumes reading from the node, for back-pressure from a slow client. */
  public void setAutoRead(boolean autoRead) {
    channel.config().setAutoRead(autoRead);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.onReadComplete(this);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.onWritabilityChanged(this);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    close(cause.toString());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      countOpened();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    countOpened();
    ctx.fireChannelActive();
  }

  private void countOpened() {
    if (!counted) {
      counted = true;
      metrics.connectionOpened();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      metrics.connectionClosed();
    }
    // Ids still reserved die with the connection.
    metrics.streamIdsInUse(-streamIds.inUse());
    metrics.orphans(-orphans);
    String reason = closeReason != null ? closeReason : "the node closed the connection";
    closeReason = reason;
    if (listener != null) {
      listener.onClosed(this, reason);
    }
  }

  @Override
  public String toString() {
    return logPrefix;
  }
}
