package io.ferry.proxy.client;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.compression.FrameDecompressor;
import io.ferry.proxy.dualreads.ReadMirroring;
import io.ferry.proxy.exchange.Forwarder;
import io.ferry.proxy.exchange.InFlightTable;
import io.ferry.proxy.exchange.Repreparation;
import io.ferry.proxy.exchange.RequestDispatcher;
import io.ferry.proxy.exchange.RequestOutcomes;
import io.ferry.proxy.exchange.ResponseAggregator;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.handshake.ClientHandshake;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.segment.SegmentDecoder;
import io.ferry.proxy.session.ClientSession;
import io.ferry.proxy.session.ClientSession.Phase;
import io.ferry.proxy.session.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, as Netty sees it: reads frames and the decoders' problem reports, hands
 * each frame to the {@link ClientHandshake} until the connection is ready and to the {@link
 * RequestDispatcher} after, flushes what a read produced, relays back-pressure between the client
 * and its backend connections, times out what waits too long, and ends everything when either side
 * goes away. A frame's journey: {@code ClientConnection} → {@link RequestDispatcher} → {@link
 * Forwarder} → backend connections → {@link InFlightTable} → {@link ResponseAggregator} → client.
 *
 * <p>Buffer ownership: a frame read is handed on (to the handshake or the dispatcher) or released
 * here; nothing is held across reads.
 *
 * <p>Thread policy: every method runs on the client channel's event loop, which also serves its
 * backend connections, so nothing here is synchronized.
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter
    implements BackendConnection.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

  private final ProxyContext context;
  private ClientSession session;
  private ClientHandshake handshake;
  private InFlightTable requests;
  private RequestDispatcher dispatcher;
  private IncompleteFrameWatch incompleteFrames;
  private ScheduledFuture<?> tick;

  public ClientConnection(ProxyContext context) {
    this.context = context;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    session =
        new ClientSession(
            context,
            ctx.channel(),
            Endpoints.format((InetSocketAddress) ctx.channel().remoteAddress()));
    handshake = new ClientHandshake(session, this);
    RequestOutcomes outcomes = new RequestOutcomes(session);
    requests = new InFlightTable(session, outcomes);
    Forwarder forwarder = new Forwarder(session, requests);
    requests.setRepreparation(new Repreparation(session, requests, forwarder));
    dispatcher =
        new RequestDispatcher(
            session, requests, forwarder, new ResponseAggregator(session, requests, outcomes));
    long tickMillis =
        Math.max(10, Math.min(1000, context.settings().requestTimeout().toMillis() / 10));
    tick =
        ctx.executor()
            .scheduleAtFixedRate(this::onTick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    incompleteFrames =
        new IncompleteFrameWatch(ctx.channel(), context.settings().incompleteFrameTimeout());
    handshake.start();
    LOG.debug("[client {}] connected", session.label());
    ctx.fireChannelActive();
  }

  // ---------------------------------------------------------------------------------------------
  // Client → Ferry

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof ByteBuf frame) {
      int streamId = Frames.streamId(frame);
      int frameVersion = Frames.version(frame);
      try {
        onFrame(frame, frameVersion, streamId);
      } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
        // A body that does not hold what its header and lengths say: only this request fails.
        // Every path that throws does so before the frame changed hands.
        ReferenceCountUtil.safeRelease(frame);
        LOG.debug(
            "[client {}] malformed request on stream id {}: {}",
            session.label(),
            streamId,
            e.toString());
        session.reply(
            Math.max(0, streamId),
            MessageCodec.protocolError("Malformed request: " + e.getMessage()),
            frameVersion);
      }
    } else if (message instanceof SegmentDecoder.CorruptSegment corrupt) {
      protocolViolation("corrupt segment: " + corrupt.reason());
    } else if (message instanceof FrameDecompressor.CorruptFrame corrupt) {
      LOG.debug("[client {}] {}", session.label(), corrupt);
      session.reply(
          Math.max(0, corrupt.streamId()),
          MessageCodec.protocolError("Corrupt compressed request: " + corrupt.reason()),
          corrupt.version());
    } else if (message instanceof FrameDecoder.OversizedFrame oversized) {
      onOversized(oversized);
    } else if (message instanceof FrameDecoder.UnreadableStream unreadable) {
      onUnreadable(unreadable);
    } else {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (session.origin() != null) {
      session.origin().flush();
    }
    ReadMirroring mirroring = session.mirroringIfOpen();
    if (mirroring != null) {
      mirroring.flush();
    }
    if (session.target() != null) {
      session.target().flush();
    }
    session.flush();
  }

  private void onFrame(ByteBuf frame, int frameVersion, int streamId) {
    if (session.isClosed()) {
      frame.release();
      return;
    }
    int version = session.version();
    if (version < 0) {
      if (!handshake.accepts(frameVersion)) {
        frame.release();
        handshake.refuseVersion(frameVersion);
        return;
      }
    } else if (frameVersion != version) {
      frame.release();
      protocolViolation(
          "frame of protocol version " + frameVersion + " on a v" + version + " connection");
      return;
    }
    if (streamId < 0) {
      frame.release();
      session.reply(0, MessageCodec.protocolError("negative stream id: " + streamId), frameVersion);
      return;
    }
    if (session.phase() == Phase.READY) {
      dispatcher.onRequest(frame, streamId);
    } else {
      handshake.onFrame(frame, frameVersion, streamId);
    }
  }

  /**
   * Starts routing requests over two backend connections whose handshakes completed elsewhere,
   * skipping the client's own: the forwarding path alone, as the JMH benchmarks of the pipeline
   * drive it over embedded channels. Call on the event loop, after {@code channelActive}.
   */
  void routeOver(BackendConnection origin, BackendConnection target, ProtocolVersion version) {
    origin.setListener(this);
    target.setListener(this);
    session.connectedTo(origin, target);
    handshake.skipTo(version);
  }

  // ---------------------------------------------------------------------------------------------
  // Backend connections → client

  @Override
  public void onEvent(BackendConnection connection, ByteBuf frame) {
    // Only origin's schema changes reach the client: the two clusters get the same DDL, and one
    // event per change is what a driver expects. Topology and status events describe real nodes,
    // which drivers must not see behind Ferry's virtual topology.
    if (session.phase() == Phase.READY
        && connection.role() == ClusterRole.ORIGIN
        && isSchemaChange(frame)) {
      session.write(frame);
      session.flush();
    } else {
      frame.release();
    }
  }

  private static boolean isSchemaChange(ByteBuf frame) {
    int index = Frames.responseMessageIndex(frame);
    return ProtocolPrimitives.getString(frame, index)
        .equals(ProtocolConstants.EventType.SCHEMA_CHANGE);
  }

  @Override
  public void onClosed(BackendConnection connection, String reason) {
    if (session.isClosed()) {
      return;
    }
    String message =
        "Ferry lost its connection to "
            + connection.role().id()
            + " "
            + Endpoints.format(connection.node())
            + ": "
            + reason;
    LOG.warn("{} {}; closing the client connection", connection, reason);
    requests.failAll(message, connection, reason);
    session.close();
  }

  @Override
  public void onWritabilityChanged(BackendConnection connection) {
    BackendConnection origin = session.origin();
    BackendConnection target = session.target();
    boolean writable =
        (origin == null || origin.isWritable()) && (target == null || target.isWritable());
    session.channel().config().setAutoRead(writable);
  }

  @Override
  public void onReadComplete(BackendConnection connection) {
    session.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    if (session.origin() != null) {
      session.origin().setAutoRead(writable);
    }
    if (session.target() != null) {
      session.target().setAutoRead(writable);
    }
    ctx.fireChannelWritabilityChanged();
  }

  // ---------------------------------------------------------------------------------------------
  // Timeouts, failures, closing

  private void onTick() {
    long now = System.nanoTime();
    ReadMirroring mirroring = session.mirroringIfOpen();
    if (mirroring != null) {
      mirroring.expire(now);
    }
    if (requests.expire(now)) {
      session.flush();
    }
    if (session.phase() == Phase.READY) {
      String stalled = incompleteFrames.check(now);
      if (stalled != null) {
        LOG.warn("[client {}] {}; closing the connection", session.label(), stalled);
        closeWithProtocolError(stalled);
      }
    }
  }

  /**
   * Closes this connection if it is idle (no request in flight) and bound to one of {@code
   * fallbacks}: a node it fell back to while its assigned node was down. The driver opens a new
   * connection, which goes to the assigned node again, so that connections do not pile up on the
   * fallback node (and all fail together when that one restarts in turn). Call on this connection's
   * event loop.
   *
   * @return whether it closed
   */
  boolean closeIfIdleOn(Set<InetSocketAddress> fallbacks) {
    if (session.phase() != Phase.READY || !requests.isEmpty()) {
      return false;
    }
    BackendConnection origin = session.origin();
    BackendConnection target = session.target();
    boolean onFallback =
        origin != null && fallbacks.contains(origin.node())
            || target != null && fallbacks.contains(target.node());
    if (!onFallback) {
      return false;
    }
    LOG.debug(
        "[client {}] idle on a fallback node while its assigned node is back; closing",
        session.label());
    session.close();
    return true;
  }

  /** Requests waiting for a cluster; read on this connection's event loop. */
  int inFlightRequests() {
    return requests.size();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    session.setPhase(Phase.CLOSED);
    handshake.end();
    if (tick != null) {
      tick.cancel(false);
    }
    requests.abandonAll();
    session.closeBackends("client connection closed");
    LOG.debug("[client {}] disconnected", session.label());
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A failed TLS handshake arrives here too (from the TLS handler, as a decoder's exception),
    // after the client pipeline logged it with its reason.
    if (cause instanceof java.io.IOException
        || cause.getCause() instanceof SSLException
        || cause instanceof NotSslRecordException) {
      LOG.debug("[client {}] {}", session.label(), cause.toString());
    } else {
      LOG.error("[client {}] unexpected error, closing the connection", session.label(), cause);
    }
    ctx.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Protocol problems

  private void onOversized(FrameDecoder.OversizedFrame oversized) {
    String message =
        "Request of "
            + oversized.bodyLength()
            + " bytes is larger than Ferry's max-frame-length ("
            + context.settings().maxFrameLength()
            + " bytes)";
    if (session.phase() == Phase.READY) {
      LOG.warn("[client {}] {}", session.label(), message);
      session.reply(oversized.streamId(), MessageCodec.invalid(message));
    } else {
      protocolViolation(message);
    }
  }

  private void onUnreadable(FrameDecoder.UnreadableStream unreadable) {
    if (session.version() < 0) {
      handshake.refuseVersion(unreadable.versionByte() & 0x7F);
    } else {
      protocolViolation("unreadable bytes: " + unreadable.reason());
    }
  }

  /** A protocol error: fatal for this connection only. */
  private void protocolViolation(String problem) {
    LOG.error("[client {}] protocol error: {}; closing the connection", session.label(), problem);
    closeWithProtocolError(problem);
  }

  /** Fails the requests in flight, tells the client why on stream id 0, and closes. */
  private void closeWithProtocolError(String problem) {
    int errorVersion = session.version() > 0 ? session.version() : handshake.errorVersion();
    requests.failAll("connection closed after a protocol error: " + problem, null, null);
    session.reply(0, MessageCodec.protocolError(problem), errorVersion);
    session.close();
  }
}
