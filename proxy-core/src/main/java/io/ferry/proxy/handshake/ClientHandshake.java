package io.ferry.proxy.handshake;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.request.Startup;
import io.ferry.proxy.auth.CredentialRouting;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.compression.FrameCompressor;
import io.ferry.proxy.compression.FrameDecompressor;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.HandlerNames;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.segment.ModernFraming;
import io.ferry.proxy.segment.SegmentCompression;
import io.ferry.proxy.session.ClientSession;
import io.ferry.proxy.session.ClientSession.Phase;
import io.ferry.proxy.session.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection's handshake, from its first frame to the READY or AUTH_SUCCESS that releases
 * it: OPTIONS answered by Ferry, the protocol version negotiated (a version Ferry or either cluster
 * cannot speak gets the error drivers downgrade on), the client's STARTUP forwarded to both
 * clusters, then authentication: the client's credentials go to the cluster they are for (its
 * AUTH_RESPONSEs forwarded there), Ferry authenticates to the other cluster with its own, and the
 * client is released only once both succeeded. A client that does not complete its handshake within
 * handshake-timeout is closed.
 *
 * <p>Buffer ownership: {@link #onFrame} takes the frame. The STARTUP is held while the backend
 * connections open, then forwarded; each cluster's answer is owned by the handshake until it goes
 * to the client or is released; an AUTH_SUCCESS may be held until Ferry's own authentication ends.
 *
 * <p>Thread policy: used on the client channel's event loop only, which also serves its backend
 * connections.
 */
public final class ClientHandshake {

  private static final Logger LOG = LoggerFactory.getLogger(ClientHandshake.class);

  private final ClientSession session;
  private final ProxyContext context;
  private final BackendConnection.Listener backendListener;
  private ScheduledFuture<?> deadline;
  // The client's STARTUP, held while the backend connections open.
  private ByteBuf pendingStartup;
  // The STARTUP's answers, once forwarded.
  private ForwardedFrame originStartup;
  private ForwardedFrame targetStartup;
  private final ClientAuthentication authentication;

  /**
   * @param backendListener told of the backend connections' events and closing, once they are open
   */
  public ClientHandshake(ClientSession session, BackendConnection.Listener backendListener) {
    this.session = session;
    this.context = session.context();
    this.backendListener = backendListener;
    this.authentication = new ClientAuthentication(session, this::becomeReady);
  }

  /** Starts the handshake-timeout clock; call when the connection is accepted. */
  public void start() {
    deadline = scheduleDeadline();
  }

  /** Whether {@code versionCode} may be used by this client: a first frame's version. */
  public boolean accepts(int versionCode) {
    return ProtocolNegotiation.of(context).accepts(versionCode);
  }

  /**
   * The client asked for a version it may not use: the protocol error drivers react to by retrying
   * one version lower, then the connection closes.
   */
  public void refuseVersion(int requested) {
    ProtocolNegotiation negotiation = ProtocolNegotiation.of(context);
    // Part of normal negotiation (drivers try their highest version first): DEBUG, not a warning.
    LOG.debug(
        "[client {}] asked for protocol v{}; answering a protocol error to make it downgrade",
        session.label(),
        requested);
    session.reply(0, negotiation.refusal(requested), negotiation.errorVersion());
    session.close();
  }

  /** The frame version errors are sent in before a version is agreed on. */
  public int errorVersion() {
    return ProtocolNegotiation.of(context).errorVersion();
  }

  /** A frame before the connection is ready; takes ownership of {@code frame}. */
  public void onFrame(ByteBuf frame, int frameVersion, int streamId) {
    switch (session.phase()) {
      case NEW -> onFirstFrames(frame, frameVersion, streamId);
      case HANDSHAKE -> {
        int opcode = Frames.opcode(frame);
        frame.release();
        session.reply(
            streamId, MessageCodec.unexpected(opcode, " during the handshake"), frameVersion);
      }
      case AUTHENTICATING -> authentication.onAuthResponse(frame, streamId);
      default -> frame.release();
    }
  }

  private void onFirstFrames(ByteBuf frame, int frameVersion, int streamId) {
    int opcode = Frames.opcode(frame);
    if (opcode == Opcode.OPTIONS) {
      frame.release();
      session.reply(streamId, SupportedOptions.of(context), frameVersion);
    } else if (opcode == Opcode.STARTUP) {
      Startup startup = (Startup) context.codec().decodeRequest(frame).message;
      String refusal =
          SupportedOptions.refuseStartup(
              startup.options,
              frameVersion,
              context.topology(ClusterRole.ORIGIN),
              context.topology(ClusterRole.TARGET));
      if (refusal != null) {
        frame.release();
        session.reply(streamId, MessageCodec.protocolError(refusal), frameVersion);
        return;
      }
      session.agreeOn(ProtocolVersion.fromCode(frameVersion));
      Compression compression = Compression.fromOption(startup.options.get("COMPRESSION"));
      session.startedWith(startup.options, compression);
      if (compression != null && !session.protocolVersion().hasModernFraming()) {
        // The client may compress any frame after STARTUP.
        session
            .channel()
            .pipeline()
            .addAfter(
                HandlerNames.FRAME_DECODER,
                HandlerNames.DECOMPRESSOR,
                new FrameDecompressor(compression, context.settings().maxFrameLength()));
      }
      session.setPhase(Phase.HANDSHAKE);
      connectToClusters(frame, streamId);
    } else {
      frame.release();
      session.reply(
          streamId,
          MessageCodec.unexpected(opcode, ", expecting STARTUP or OPTIONS"),
          frameVersion);
    }
  }

  private void connectToClusters(ByteBuf startup, int streamId) {
    pendingStartup = startup;
    String label = session.label();
    int version = session.version();
    CompletableFuture<BackendConnection> originConnect =
        context.origin().connect(session.channel().eventLoop(), version, label);
    CompletableFuture<BackendConnection> targetConnect =
        context.target().connect(session.channel().eventLoop(), version, label);
    CompletableFuture.allOf(originConnect, targetConnect)
        .whenComplete(
            (ignored, failure) -> {
              Runnable next = () -> onClustersConnected(originConnect, targetConnect, streamId);
              if (session.channel().eventLoop().inEventLoop()) {
                next.run();
                return;
              }
              try {
                session.channel().eventLoop().execute(next);
              } catch (RejectedExecutionException e) {
                // Ferry is stopping; the client connection's end released the STARTUP.
                originConnect.thenAccept(connection -> connection.close("Ferry is stopping"));
                targetConnect.thenAccept(connection -> connection.close("Ferry is stopping"));
              }
            });
  }

  private void onClustersConnected(
      CompletableFuture<BackendConnection> originConnect,
      CompletableFuture<BackendConnection> targetConnect,
      int streamId) {
    BackendConnection origin = originConnect.getNow(null);
    BackendConnection target = targetConnect.getNow(null);
    if (origin != null) {
      origin.setListener(backendListener);
    }
    if (target != null) {
      target.setListener(backendListener);
    }
    session.connectedTo(origin, target);
    ByteBuf startup = pendingStartup;
    pendingStartup = null;
    if (session.isClosed() || startup == null) {
      ReferenceCountUtil.safeRelease(startup);
      session.closeBackends("client disconnected during the handshake");
      return;
    }
    if (origin == null || target == null || !origin.isOpen() || !target.isOpen()) {
      startup.release();
      List<String> problems = new ArrayList<>();
      originConnect.whenComplete((c, e) -> addProblem(problems, c, e));
      targetConnect.whenComplete((c, e) -> addProblem(problems, c, e));
      String message = String.join("; ", problems);
      LOG.warn("[client {}] refused: {}", session.label(), message);
      session.reply(streamId, MessageCodec.serverError(message));
      session.close();
      return;
    }
    originStartup = new ForwardedFrame(session, origin, streamId, this::onStartupAnswer);
    targetStartup = new ForwardedFrame(session, target, streamId, this::onStartupAnswer);
    // Each cluster's STARTUP gets its own stream id in its header: target's is a copy (once per
    // connection, not on the request path).
    origin.send(startup.copy(), originStartup);
    target.send(startup, targetStartup);
    // Everything after the STARTUP may be compressed.
    origin.startupSent(session.compression());
    target.startupSent(session.compression());
    origin.flush();
    target.flush();
  }

  private static void addProblem(
      List<String> problems, BackendConnection connection, Throwable failure) {
    if (failure != null) {
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      problems.add(cause.getMessage());
    } else if (!connection.isOpen()) {
      problems.add(connection + " closed right after it opened");
    }
  }

  private void onStartupAnswer(ForwardedFrame answered) {
    if (!answered.connectionLost() && (!originStartup.isDone() || !targetStartup.isDone())) {
      // Both answers are needed; a connection lost ends the handshake at once.
      return;
    }
    if (originStartup.failed() || targetStartup.failed()) {
      ReferenceCountUtil.safeRelease(originStartup.take());
      ReferenceCountUtil.safeRelease(targetStartup.take());
      String message =
          ForwardedFrame.failure(
              List.of(originStartup, targetStartup),
              context.settings().requestTimeout().toMillis());
      LOG.warn("[client {}] STARTUP {}", session.label(), message);
      session.reply(answered.clientStreamId, MessageCodec.serverError(message));
      session.close();
      return;
    }
    onStartupAnswered(answered.clientStreamId, originStartup.take(), targetStartup.take());
  }

  /** Both clusters answered the client's STARTUP. */
  private void onStartupAnswered(int clientStreamId, ByteBuf originAnswer, ByteBuf targetAnswer) {
    int originOpcode = Frames.opcode(originAnswer);
    int targetOpcode = Frames.opcode(targetAnswer);
    if (originOpcode == Opcode.ERROR || targetOpcode == Opcode.ERROR) {
      boolean originFailed = originOpcode == Opcode.ERROR;
      ByteBuf error = originFailed ? originAnswer : targetAnswer;
      (originFailed ? targetAnswer : originAnswer).release();
      LOG.info(
          "[client {}] handshake refused by {}: {}",
          session.label(),
          originFailed ? "origin" : "target",
          context.codec().decodeResponse(error).message);
      Frames.setStreamId(error, clientStreamId);
      session.write(error);
      session.close();
      return;
    }
    boolean originAuth = originOpcode == Opcode.AUTHENTICATE;
    boolean targetAuth = targetOpcode == Opcode.AUTHENTICATE;
    if ((!originAuth && originOpcode != Opcode.READY)
        || (!targetAuth && targetOpcode != Opcode.READY)) {
      originAnswer.release();
      targetAnswer.release();
      String message =
          "unexpected answer to STARTUP (origin: "
              + MessageCodec.opcodeName(originOpcode)
              + ", target: "
              + MessageCodec.opcodeName(targetOpcode)
              + ")";
      LOG.warn("[client {}] {}", session.label(), message);
      session.reply(clientStreamId, MessageCodec.serverError(message));
      session.close();
      return;
    }
    ClusterRole credentialsCluster =
        CredentialRouting.clientCredentialsCluster(
            originAuth, targetAuth, context.settings().forwardClientCredentialsToOrigin());
    session.setCredentialsCluster(credentialsCluster);
    if (credentialsCluster == null) {
      targetAnswer.release();
      Frames.setStreamId(originAnswer, clientStreamId);
      becomeReady(originAnswer);
      return;
    }
    boolean clientOnOrigin = credentialsCluster == ClusterRole.ORIGIN;
    ByteBuf clientChallenge = clientOnOrigin ? originAnswer : targetAnswer;
    authentication.begin(clientOnOrigin ? targetAnswer : originAnswer);
    LOG.debug(
        "[client {}] {} asks for authentication: the client's credentials go to it",
        session.label(),
        credentialsCluster.id());
    session.setPhase(Phase.AUTHENTICATING);
    Frames.setStreamId(clientChallenge, clientStreamId);
    session.write(clientChallenge);
    handshakeAnswered();
  }

  /**
   * The client got READY or AUTHENTICATE: what Ferry writes from now on is compressed, if the
   * client asked for it.
   */
  private void handshakeAnswered() {
    var pipeline = session.channel().pipeline();
    boolean modernFraming = session.protocolVersion().hasModernFraming();
    if (modernFraming && pipeline.get(HandlerNames.SEGMENT_DECODER) == null) {
      // v5: what follows the handshake answer travels in segments, both ways.
      ModernFraming.install(
          pipeline, HandlerNames.FRAME_DECODER, SegmentCompression.of(session.compression()));
      return;
    }
    if (session.compression() != null
        && !modernFraming
        && pipeline.get(HandlerNames.COMPRESSOR) == null) {
      pipeline.addBefore(
          HandlerNames.CLIENT, HandlerNames.COMPRESSOR, new FrameCompressor(session.compression()));
    }
  }

  /** Sends the READY or AUTH_SUCCESS that ends the handshake; requests are routed from now on. */
  private void becomeReady(ByteBuf answer) {
    boolean handshakeAnswer = session.phase() == Phase.HANDSHAKE;
    session.setPhase(Phase.READY);
    deadline.cancel(false);
    LOG.debug(
        "[client {}] ready (protocol v{}, origin {}, target {})",
        session.label(),
        session.version(),
        Endpoints.format(session.origin().node()),
        Endpoints.format(session.target().node()));
    session.write(answer);
    if (handshakeAnswer) {
      handshakeAnswered();
    }
  }

  /**
   * Skips the handshake: the connection routes requests over backend connections whose handshakes
   * completed elsewhere (the JMH pipeline benchmarks).
   */
  public void skipTo(ProtocolVersion version) {
    session.agreeOn(version);
    session.setPhase(Phase.READY);
    deadline.cancel(false);
  }

  private ScheduledFuture<?> scheduleDeadline() {
    return session
        .channel()
        .eventLoop()
        .schedule(
            this::onDeadline,
            context.settings().handshakeTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /** {@code handshake-timeout} after the connection was accepted, or after the last such check. */
  private void onDeadline() {
    Phase phase = session.phase();
    if (phase == Phase.READY || phase == Phase.CLOSED) {
      return;
    }
    if (phase == Phase.HANDSHAKE || authentication.isWaitingForCluster()) {
      // Ferry is the one waiting, for a cluster: connection-timeout and request-timeout bound that.
      deadline = scheduleDeadline();
      return;
    }
    FrameDecoder frames =
        (FrameDecoder) session.channel().pipeline().get(HandlerNames.FRAME_DECODER);
    String message =
        "no complete handshake within "
            + context.settings().handshakeTimeout().toMillis()
            + " ms (handshake-timeout): Ferry was waiting for "
            + (phase == Phase.NEW ? "STARTUP" : "AUTH_RESPONSE")
            + (frames != null && frames.holdsIncompleteFrame()
                ? ", and holds " + frames.bufferedBytes() + " bytes of an incomplete frame"
                : "");
    if (frames != null && frames.framesDecoded() == 0 && !frames.holdsIncompleteFrame()) {
      // Sent nothing at all: port scanners and load-balancer probes do that all day long.
      LOG.debug("[client {}] closed: {}", session.label(), message);
    } else {
      LOG.info("[client {}] closed: {}", session.label(), message);
    }
    session.close();
  }

  /** The client connection ended: what the handshake holds is released. */
  public void end() {
    if (deadline != null) {
      deadline.cancel(false);
    }
    ReferenceCountUtil.safeRelease(pendingStartup);
    pendingStartup = null;
    authentication.end();
    for (ForwardedFrame forwarded : new ForwardedFrame[] {originStartup, targetStartup}) {
      if (forwarded != null) {
        forwarded.abandon();
      }
    }
  }
}
