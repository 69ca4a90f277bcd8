package io.ferry.proxy.handshake;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.Authenticate;
import com.datastax.oss.protocol.internal.response.Error;
import io.ferry.proxy.auth.CredentialRouting;
import io.ferry.proxy.auth.PlainTextAuthenticator;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.backend.BackendHandshake;
import io.ferry.proxy.backend.CqlClient;
import io.ferry.proxy.backend.OwnRequest;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.compression.FrameCompressor;
import io.ferry.proxy.compression.FrameDecompressor;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.HandlerNames;
import io.ferry.proxy.frame.ProtocolPrimitives;
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
import java.util.function.Consumer;
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
  private Forwarded originStartup;
  private Forwarded targetStartup;
  // The client's AUTH_RESPONSE being answered, if any.
  private Forwarded authResponse;
  // Ferry's own authentication to the other cluster, and how it ended.
  private CompletableFuture<Void> ferryAuthentication;
  private String authenticationFailure;
  // The client's AUTH_SUCCESS, held until Ferry's own authentication succeeds.
  private ByteBuf heldAuthSuccess;

  /**
   * @param backendListener told of the backend connections' events and closing, once they are open
   */
  public ClientHandshake(ClientSession session, BackendConnection.Listener backendListener) {
    this.session = session;
    this.context = session.context();
    this.backendListener = backendListener;
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
            streamId,
            MessageCodec.protocolError(
                "Unexpected message " + MessageCodec.opcodeName(opcode) + " during the handshake"),
            frameVersion);
      }
      case AUTHENTICATING -> onAuthResponse(frame, streamId);
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
          MessageCodec.protocolError(
              "Unexpected message "
                  + MessageCodec.opcodeName(opcode)
                  + ", expecting STARTUP or OPTIONS"),
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
    originStartup = new Forwarded(origin, streamId, this::onStartupAnswer);
    targetStartup = new Forwarded(target, streamId, this::onStartupAnswer);
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

  private void onStartupAnswer(Forwarded answered) {
    boolean lost = answered.failure != null && !answered.timedOut();
    if (!lost && (!originStartup.isDone() || !targetStartup.isDone())) {
      // Both answers are needed; a connection lost ends the handshake at once.
      return;
    }
    if (originStartup.failure != null || targetStartup.failure != null) {
      ReferenceCountUtil.safeRelease(originStartup.take());
      ReferenceCountUtil.safeRelease(targetStartup.take());
      failHandshake(answered.clientStreamId, List.of(originStartup, targetStartup));
      return;
    }
    onStartupAnswered(answered.clientStreamId, originStartup.take(), targetStartup.take());
  }

  /**
   * A cluster did not answer a forwarded handshake frame (no answer in time, or its connection was
   * lost): the client gets an error, and the connection closes.
   */
  private void failHandshake(int clientStreamId, List<Forwarded> requests) {
    List<String> silent = new ArrayList<>(2);
    String reason = null;
    for (Forwarded forwarded : requests) {
      if (forwarded.timedOut()) {
        silent.add(forwarded.cluster());
      } else if (forwarded.failure != null && reason == null) {
        reason =
            "Ferry lost its connection to "
                + forwarded.cluster()
                + ": "
                + (forwarded.failure instanceof BackendConnection.BackendClosedException closed
                    ? closed.reason()
                    : forwarded.failure.getMessage());
      }
    }
    String message =
        reason != null
            ? reason
            : "Ferry received no answer from "
                + String.join(" and ", silent)
                + " within "
                + context.settings().requestTimeout().toMillis()
                + " ms (request-timeout)";
    LOG.warn("[client {}] STARTUP {}", session.label(), message);
    session.reply(clientStreamId, MessageCodec.serverError(message));
    session.close();
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
    ByteBuf otherAnswer = clientOnOrigin ? targetAnswer : originAnswer;
    if (Frames.opcode(otherAnswer) == Opcode.AUTHENTICATE) {
      startFerryAuthentication(credentialsCluster.other(), otherAnswer);
    }
    otherAnswer.release();
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

  /** Authenticates to {@code role} with Ferry's configured credentials for it. */
  private void startFerryAuthentication(ClusterRole role, ByteBuf authenticate) {
    ClusterSettings cluster = context.settings().cluster(role);
    BackendConnection connection = session.backend(role);
    if (!cluster.hasCredentials()) {
      onFerryAuthenticationFailed(
          role.id()
              + " "
              + Endpoints.format(connection.node())
              + " requires authentication, but Ferry has no credentials for it: set "
              + cluster.credentialSettings());
      return;
    }
    String authenticator =
        ((Authenticate) context.codec().decodeResponse(authenticate).message).authenticator;
    String refusal =
        role.id()
            + " "
            + Endpoints.format(connection.node())
            + " refused Ferry's configured credentials ("
            + cluster.usernameVariable()
            + "="
            + cluster.username()
            + "): ";
    ferryAuthentication =
        BackendHandshake.authenticate(
            new CqlClient(connection, context.codec()),
            new PlainTextAuthenticator(cluster.username(), cluster.password(), authenticator));
    ferryAuthentication.whenComplete(
        (ok, failure) -> {
          if (session.isClosed()) {
            return;
          }
          if (failure != null) {
            onFerryAuthenticationFailed(refusal + BackendHandshake.unwrap(failure).getMessage());
            session.flush();
            return;
          }
          LOG.debug("[client {}] Ferry authenticated to {}", session.label(), role.id());
          if (heldAuthSuccess != null) {
            ByteBuf success = heldAuthSuccess;
            heldAuthSuccess = null;
            becomeReady(success);
            session.flush();
          }
        });
  }

  /**
   * Ferry could not authenticate to the cluster it holds credentials for: the client's exchange
   * ends with an AUTHENTICATION_ERROR, now if it is waiting, else at its next AUTH_RESPONSE.
   */
  private void onFerryAuthenticationFailed(String message) {
    LOG.error("[client {}] {}", session.label(), message);
    authenticationFailure = message;
    if (heldAuthSuccess != null) {
      int streamId = Frames.streamId(heldAuthSuccess);
      heldAuthSuccess.release();
      heldAuthSuccess = null;
      failAuthentication(streamId, message);
    }
  }

  private void onAuthResponse(ByteBuf frame, int streamId) {
    int opcode = Frames.opcode(frame);
    if (opcode != Opcode.AUTH_RESPONSE) {
      frame.release();
      session.reply(
          streamId,
          MessageCodec.protocolError(
              "Unexpected message " + MessageCodec.opcodeName(opcode) + " during authentication"));
      return;
    }
    if (authenticationFailure != null) {
      frame.release();
      failAuthentication(streamId, authenticationFailure);
      return;
    }
    if (authResponse != null && !authResponse.isDone()) {
      frame.release();
      protocolViolation("AUTH_RESPONSE sent before the previous one was answered");
      return;
    }
    session
        .clientTokens()
        .record(ProtocolPrimitives.getBytes(frame, Frames.requestMessageIndex(frame)));
    BackendConnection connection = session.backend(session.credentialsCluster());
    authResponse = new Forwarded(connection, streamId, this::onAuthResponseAnswered);
    connection.send(frame, authResponse);
    connection.flush();
  }

  /** The cluster holding the client's credentials answered an AUTH_RESPONSE. */
  private void onAuthResponseAnswered(Forwarded request) {
    if (request.failure != null) {
      failHandshake(request.clientStreamId, List.of(request));
      return;
    }
    ByteBuf answer = request.take();
    int clientStreamId = request.clientStreamId;
    if (authenticationFailure != null) {
      answer.release();
      failAuthentication(clientStreamId, authenticationFailure);
      return;
    }
    Frames.setStreamId(answer, clientStreamId);
    switch (Frames.opcode(answer)) {
      case Opcode.AUTH_CHALLENGE -> session.write(answer);
      case Opcode.AUTH_SUCCESS -> {
        if (ferryAuthentication == null || ferryAuthentication.isDone()) {
          becomeReady(answer);
        } else {
          heldAuthSuccess = answer;
        }
      }
      case Opcode.ERROR -> {
        Message refusal = context.codec().decodeResponse(answer).message;
        answer.release();
        ClusterRole cluster = session.credentialsCluster();
        String reason = refusal instanceof Error error ? error.message : String.valueOf(refusal);
        String message =
            cluster.id()
                + " "
                + Endpoints.format(session.backend(cluster).node())
                + " refused the client's credentials: "
                + reason;
        LOG.info("[client {}] {}", session.label(), message);
        int code =
            refusal instanceof Error error ? error.code : ProtocolConstants.ErrorCode.AUTH_ERROR;
        session.reply(clientStreamId, new Error(code, message));
        session.close();
      }
      default -> {
        String message =
            "unexpected answer to AUTH_RESPONSE from "
                + session.credentialsCluster().id()
                + ": "
                + MessageCodec.opcodeName(Frames.opcode(answer));
        answer.release();
        LOG.warn("[client {}] {}", session.label(), message);
        session.reply(clientStreamId, MessageCodec.serverError(message));
        session.close();
      }
    }
  }

  private void failAuthentication(int streamId, String message) {
    session.reply(streamId, new Error(ProtocolConstants.ErrorCode.AUTH_ERROR, message));
    session.close();
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
    if (phase == Phase.HANDSHAKE || (authResponse != null && !authResponse.isDone())) {
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

  /** A protocol error during the handshake: fatal for this connection only. */
  private void protocolViolation(String problem) {
    LOG.error("[client {}] protocol error: {}; closing the connection", session.label(), problem);
    session.reply(0, MessageCodec.protocolError(problem));
    session.close();
  }

  /** The client connection ended: what the handshake holds is released. */
  public void end() {
    if (deadline != null) {
      deadline.cancel(false);
    }
    ReferenceCountUtil.safeRelease(pendingStartup);
    pendingStartup = null;
    ReferenceCountUtil.safeRelease(heldAuthSuccess);
    heldAuthSuccess = null;
    for (Forwarded forwarded : new Forwarded[] {originStartup, targetStartup, authResponse}) {
      if (forwarded != null) {
        forwarded.abandon();
      }
    }
  }

  /** A handshake frame of the client's forwarded to one cluster, and what became of it. */
  private final class Forwarded extends OwnRequest {
    final int clientStreamId;
    private final BackendConnection to;
    private final Consumer<Forwarded> onDone;
    private ByteBuf answer;
    RuntimeException failure;
    private boolean done;
    private boolean abandoned;

    Forwarded(BackendConnection to, int clientStreamId, Consumer<Forwarded> onDone) {
      this.to = to;
      this.clientStreamId = clientStreamId;
      this.onDone = onDone;
    }

    boolean isDone() {
      return done;
    }

    boolean timedOut() {
      return failure instanceof BackendConnection.OwnRequestTimeoutException;
    }

    /** The answer, now the caller's. */
    ByteBuf take() {
      ByteBuf taken = answer;
      answer = null;
      return taken;
    }

    String cluster() {
      return to.role().id() + " " + Endpoints.format(to.node());
    }

    @Override
    protected void answered(ByteBuf frame) {
      done = true;
      if (abandoned || session.isClosed()) {
        frame.release();
        return;
      }
      answer = frame;
      onDone.accept(this);
      session.flush();
    }

    @Override
    protected void failed(RuntimeException cause) {
      done = true;
      failure = cause;
      if (!abandoned && !session.isClosed()) {
        onDone.accept(this);
        session.flush();
      }
    }

    void abandon() {
      abandoned = true;
      // An answer is kept only while the other cluster's is awaited.
      ReferenceCountUtil.safeRelease(take());
    }
  }
}
