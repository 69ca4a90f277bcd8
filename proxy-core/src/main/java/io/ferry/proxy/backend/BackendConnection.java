package io.ferry.proxy.backend;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.compression.FrameCompressor;
import io.ferry.proxy.compression.FrameDecompressor;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.FrameWriter;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.HandlerNames;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.metrics.NodeMetrics;
import io.ferry.proxy.segment.ModernFraming;
import io.ferry.proxy.segment.SegmentCompression;
import io.ferry.proxy.segment.SegmentDecoder;
import io.ferry.proxy.stream.DeadlineQueue;
import io.ferry.proxy.stream.StreamTable;
import io.ferry.proxy.tls.ClusterTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ferry's connection to one node, the one core under every kind of backend connection: a client
 * connection's data connection to origin or target, the mirrored-reads connection, the control
 * connection and the internal CQL client. It maps each request to a stream id of a bounded {@link
 * StreamTable} and hands the answer to the request's {@link RequestContext}; keeps the ids of
 * given- up requests reserved (orphans) until their late answers arrive, and closes when there are
 * too many; times out the requests Ferry sends itself ({@link OwnRequest}); sends heartbeats when
 * idle; and switches to compression and v5 segments when the handshake says so.
 *
 * <p>Buffer ownership: {@link #write} and {@link #send} take the buffer they are given; an answer
 * is owned by the context it is handed to; events are owned by the {@link Listener}.
 *
 * <p>Thread policy: created and used on its channel's event loop (for a data connection, the one
 * that also serves its client connection); no method may be called from another thread.
 */
public final class BackendConnection extends ChannelInboundHandlerAdapter {

  /** What the owner of a connection learns from it besides answers. */
  public interface Listener {

    /** An event pushed by the node (stream id -1); the listener owns {@code frame}. */
    default void onEvent(BackendConnection connection, ByteBuf frame) {
      frame.release();
    }

    /** The connection closed (node gone, unreadable bytes, unresponsive, or closed by Ferry). */
    default void onClosed(BackendConnection connection, String reason) {}

    /** The channel became writable or unwritable, for back-pressure on the client. */
    default void onWritabilityChanged(BackendConnection connection) {}

    /** A read from the node ended: the moment to flush what was written to the client. */
    default void onReadComplete(BackendConnection connection) {}
  }

  /**
   * How a connection behaves.
   *
   * @param role the cluster it belongs to
   * @param logPrefix who the connection is about, as its log lines start: {@code [client … → origin
   *     …]}
   * @param maxStreamIds ids of its table
   * @param maxOrphans orphans tolerated before the node is deemed unresponsive
   * @param protocolVersion the version of every frame on it
   * @param requestTimeout how long Ferry's own requests wait for an answer
   * @param heartbeatInterval how long the connection may go without a write before a heartbeat
   * @param metrics the meters of the node it reaches
   * @param tls the cluster's TLS, to explain a TLS failure after the handshake
   */
  public record Options(
      ClusterRole role,
      String logPrefix,
      int maxStreamIds,
      int maxOrphans,
      int protocolVersion,
      Duration requestTimeout,
      Duration heartbeatInterval,
      NodeMetrics metrics,
      Optional<ClusterTls> tls) {

    /** A connection to a node of {@code cluster}, as the settings say. */
    public static Options of(
        ClusterSettings cluster,
        ProxySettings proxy,
        String logPrefix,
        int protocolVersion,
        NodeMetrics metrics,
        Optional<ClusterTls> tls) {
      return new Options(
          cluster.role(),
          logPrefix,
          proxy.maxStreamIds(),
          proxy.maxOrphanedStreamIds(),
          protocolVersion,
          proxy.requestTimeout(),
          proxy.heartbeat().interval(),
          metrics,
          tls);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(BackendConnection.class);

  private static final Listener NO_LISTENER = new Listener() {};

  private final Options options;
  private final Channel channel;
  private final StreamTable<RequestContext> requests;
  private final DeadlineQueue<OwnRequest> ownRequests;
  private final boolean modernFraming;
  private final NodeMetrics metrics;
  private final FrameWriter writer;
  private final RequestContext heartbeat = this::onHeartbeatAnswer;
  private Listener listener = NO_LISTENER;
  private Compression compression;
  private boolean segmented;
  private boolean heartbeatInFlight;
  // Whether anything was written since the last heartbeat check: one field, where an
  // IdleStateHandler would allocate a promise and a listener per write.
  private boolean wroteSinceCheck;
  private ScheduledFuture<?> heartbeatCheck;
  private ScheduledFuture<?> expiryCheck;
  private String closeReason;
  private RuntimeException closeCause;
  private boolean counted;

  public BackendConnection(Channel channel, Options options) {
    this.options = options;
    this.channel = channel;
    this.requests = new StreamTable<>(options.maxStreamIds());
    this.ownRequests = new DeadlineQueue<>(options.requestTimeout().toNanos());
    this.modernFraming = ProtocolVersion.fromCode(options.protocolVersion()).hasModernFraming();
    this.metrics = options.metrics();
    this.writer = new FrameWriter(channel);
  }

  /** Whom events, closing, writability and read completion are reported to. */
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  public ClusterRole role() {
    return options.role();
  }

  public InetSocketAddress node() {
    return (InetSocketAddress) channel.remoteAddress();
  }

  public int protocolVersion() {
    return options.protocolVersion();
  }

  /** The meters of the node this connection reaches. */
  public NodeMetrics metrics() {
    return metrics;
  }

  public Channel channel() {
    return channel;
  }

  public boolean isWritable() {
    return channel.isWritable();
  }

  public boolean isOpen() {
    return channel.isActive() && closeReason == null;
  }

  /**
   * Reserves a stream id for a request that {@code context} will receive the answer of.
   *
   * @return the id, or -1 when every id is in use (the caller answers OVERLOADED)
   */
  public int reserve(RequestContext context) {
    int id = requests.reserve(context);
    if (id >= 0) {
      metrics.streamIdsInUse(1);
    }
    return id;
  }

  /** Gives back an id reserved for a request that was finally not sent. */
  public void unreserve(int streamId) {
    requests.free(streamId);
    metrics.streamIdsInUse(-1);
  }

  /**
   * Writes a frame (or a piece of one) without flushing; {@link #flush()} sends it. Takes ownership
   * of {@code buffer}.
   */
  public void write(ByteBuf buffer) {
    wroteSinceCheck = true;
    writer.write(buffer);
  }

  /** Flushes what {@link #write} queued, if anything. */
  public void flush() {
    writer.flush();
  }

  /**
   * Sends a request Ferry makes itself, without flushing: the frame's stream id is set in place to
   * the one reserved for {@code request}, which gets the answer, or fails when none comes within
   * the request timeout or the connection closes (or at once, when no id is free). Takes ownership
   * of {@code frame}.
   */
  public void send(ByteBuf frame, OwnRequest request) {
    if (!isOpen()) {
      frame.release();
      request.fail(closedCause("connection is closed"));
      return;
    }
    int id = reserve(request);
    if (id < 0) {
      frame.release();
      request.fail(new IllegalStateException(describe("no stream id available")));
      return;
    }
    request.streamId = id;
    Frames.setStreamId(frame, id);
    ownRequests.add(request, System.nanoTime());
    if (expiryCheck == null) {
      scheduleExpiryCheck();
    }
    write(frame);
  }

  /**
   * The request on {@code streamId} was given up: its id stays reserved until the late answer
   * arrives, then that answer is dropped. Too many orphans mean the node is not answering, and the
   * connection is closed.
   */
  public void orphan(int streamId) {
    if (!requests.orphan(streamId)) {
      return;
    }
    metrics.orphans(1);
    if (requests.orphans() > options.maxOrphans()) {
      close(
          requests.orphans()
              + " requests without an answer (max-orphaned-stream-ids is "
              + options.maxOrphans()
              + ")");
    }
  }

  /** Stream ids in use, orphans included. */
  public int streamIdsInUse() {
    return requests.inUse();
  }

  public int orphans() {
    return requests.orphans();
  }

  /** Closes the connection; the listener hears of it once, with {@code reason}. */
  public void close(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    channel.close();
  }

  /**
   * The STARTUP was written: from now on frames in both directions may be compressed with {@code
   * compression} (v3 and v4; {@code null} for none; v5 compresses segments instead, once the
   * handshake answer arrives).
   */
  public void startupSent(Compression compression) {
    this.compression = compression;
    if (compression == null || modernFraming) {
      return;
    }
    channel
        .pipeline()
        .addAfter(
            HandlerNames.FRAME_DECODER,
            HandlerNames.DECOMPRESSOR,
            new FrameDecompressor(compression, BackendChannels.MAX_FRAME_LENGTH))
        .addBefore(HandlerNames.BACKEND, HandlerNames.COMPRESSOR, new FrameCompressor(compression));
  }

  /** Stops or resumes reading from the node, for back-pressure from a slow client. */
  public void setAutoRead(boolean autoRead) {
    channel.config().setAutoRead(autoRead);
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
              HandlerNames.FRAME_DECODER,
              Frames.opcode(frame),
              SegmentCompression.of(compression));
    }
    if (streamId == Frames.EVENT_STREAM_ID) {
      listener.onEvent(this, frame);
      return;
    }
    if (!requests.isReserved(streamId)) {
      LOG.warn(
          "{} dropped a response on stream id {} that no request is waiting for",
          options.logPrefix(),
          streamId);
      frame.release();
      return;
    }
    RequestContext context = requests.free(streamId);
    metrics.streamIdsInUse(-1);
    if (context == null) {
      metrics.orphans(-1);
      LOG.debug(
          "{} late response on stream id {} dropped (its request had timed out)",
          options.logPrefix(),
          streamId);
      frame.release();
      return;
    }
    context.onResponse(this, frame);
  }

  /** An own request was answered or its connection closed: it no longer has a deadline. */
  void ownRequestAnswered(OwnRequest request) {
    ownRequests.remove(request);
  }

  private void scheduleExpiryCheck() {
    long delay = Math.max(0, ownRequests.nextDeadlineNanos() - System.nanoTime());
    expiryCheck =
        channel.eventLoop().schedule(this::expireOwnRequests, delay, TimeUnit.NANOSECONDS);
  }

  private void expireOwnRequests() {
    expiryCheck = null;
    long now = System.nanoTime();
    OwnRequest expired;
    while ((expired = ownRequests.pollExpired(now)) != null) {
      orphan(expired.streamId);
      expired.fail(
          new OwnRequestTimeoutException(
              describe(
                  "no answer within "
                      + options.requestTimeout().toMillis()
                      + " ms"
                      + " (request-timeout)")));
    }
    if (!ownRequests.isEmpty() && channel.isActive()) {
      scheduleExpiryCheck();
    }
  }

  private void onOversizedResponse(FrameDecoder.OversizedFrame oversized) {
    // The response's bytes were skipped, so its request can never complete normally; the request
    // times out with an explicit error, and its id becomes an orphan.
    LOG.error(
        "{} skipped a response of {} bytes on stream id {}: larger than the protocol allows",
        options.logPrefix(),
        oversized.bodyLength(),
        oversized.streamId());
  }

  /** Every heartbeat interval: a connection nothing was written to since the last check is idle. */
  private void checkIdle() {
    if (wroteSinceCheck) {
      wroteSinceCheck = false;
    } else {
      sendHeartbeat();
    }
  }

  private void sendHeartbeat() {
    if (heartbeatInFlight) {
      close("no answer to a heartbeat within the heartbeat interval");
      return;
    }
    int id = reserve(heartbeat);
    if (id < 0) {
      // Every id is in use, so the connection is not idle on the node's side either.
      return;
    }
    heartbeatInFlight = true;
    ByteBuf options = channel.alloc().ioBuffer(Frames.HEADER_LENGTH, Frames.HEADER_LENGTH);
    options
        .writeByte(this.options.protocolVersion())
        .writeByte(0)
        .writeShort(id)
        .writeByte(ProtocolConstants.Opcode.OPTIONS)
        .writeInt(0);
    LOG.trace("{} heartbeat on stream id {}", this.options.logPrefix(), id);
    channel.writeAndFlush(options, channel.voidPromise());
  }

  private void onHeartbeatAnswer(BackendConnection from, ByteBuf frame) {
    heartbeatInFlight = false;
    frame.release();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    listener.onReadComplete(this);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    listener.onWritabilityChanged(this);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A node that refuses Ferry's client certificate may say so only after the handshake (TLS 1.3
    // servers check it then): that, not a bare closed connection, is what requests fail with.
    if (closeCause == null && options.tls().isPresent() && ClusterTls.isTlsFailure(cause)) {
      closeCause = options.tls().get().failure(cause);
      close(closeCause.getMessage());
      return;
    }
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
      long interval = options.heartbeatInterval().toNanos();
      heartbeatCheck =
          channel
              .eventLoop()
              .scheduleAtFixedRate(this::checkIdle, interval, interval, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      metrics.connectionClosed();
    }
    if (expiryCheck != null) {
      expiryCheck.cancel(false);
      expiryCheck = null;
    }
    if (heartbeatCheck != null) {
      heartbeatCheck.cancel(false);
    }
    // Ids still reserved die with the connection.
    metrics.streamIdsInUse(-requests.inUse());
    metrics.orphans(-requests.orphans());
    String reason = closeReason != null ? closeReason : "the node closed the connection";
    closeReason = reason;
    RuntimeException cause = closedCause(reason);
    requests.clear(context -> context.onConnectionClosed(this, cause));
    listener.onClosed(this, reason);
  }

  private RuntimeException closedCause(String reason) {
    return closeCause != null
        ? closeCause
        : new BackendClosedException(Endpoints.format(channel.remoteAddress()), reason);
  }

  private String describe(String problem) {
    return Endpoints.format(channel.remoteAddress()) + ": " + problem;
  }

  @Override
  public String toString() {
    return options.logPrefix();
  }

  /** The connection closed before an answer arrived. */
  public static final class BackendClosedException extends RuntimeException {
    private final String reason;

    BackendClosedException(String node, String reason) {
      super(node + ": " + reason);
      this.reason = reason;
    }

    /** Why the connection closed, without the node's address. */
    public String reason() {
      return reason;
    }
  }

  /** A request Ferry sent itself got no answer within the request timeout. */
  public static final class OwnRequestTimeoutException extends RuntimeException {
    OwnRequestTimeoutException(String message) {
      super(message);
    }
  }
}
