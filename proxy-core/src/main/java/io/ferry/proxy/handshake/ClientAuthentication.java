package io.ferry.proxy.handshake;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.response.Authenticate;
import com.datastax.oss.protocol.internal.response.Error;
import io.ferry.proxy.auth.PlainTextAuthenticator;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.backend.BackendHandshake;
import io.ferry.proxy.backend.CqlClient;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.session.ClientSession;
import io.ferry.proxy.session.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection's authentication, once a cluster answered its STARTUP with AUTHENTICATE: the
 * client's AUTH_RESPONSEs go to the cluster its credentials are for and the answers back to it,
 * while Ferry authenticates to the other cluster (if it asks too) with its own configured
 * credentials. The client's AUTH_SUCCESS is held until Ferry's exchange succeeded; if that one
 * fails, the client gets an AUTHENTICATION_ERROR naming the cluster and the setting.
 *
 * <p>Buffer ownership: {@link #onAuthResponse} takes the frame; a held AUTH_SUCCESS is owned here
 * until it is released to the client or the connection ends.
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
final class ClientAuthentication {

  private static final Logger LOG = LoggerFactory.getLogger(ClientAuthentication.class);

  private final ClientSession session;
  private final ProxyContext context;
  private final Consumer<ByteBuf> release;
  private ForwardedFrame authResponse;
  private CompletableFuture<Void> ferryAuthentication;
  private String ferryFailure;
  private ByteBuf heldAuthSuccess;

  /**
   * @param release sends the AUTH_SUCCESS (taken) that ends the handshake
   */
  ClientAuthentication(ClientSession session, Consumer<ByteBuf> release) {
    this.session = session;
    this.context = session.context();
    this.release = release;
  }

  /**
   * Starts Ferry's own exchange with the other cluster, if its answer to STARTUP (taken) asks for
   * authentication.
   */
  void begin(ByteBuf otherAnswer) {
    try {
      if (Frames.opcode(otherAnswer) == Opcode.AUTHENTICATE) {
        startFerryAuthentication(session.credentialsCluster().other(), otherAnswer);
      }
    } finally {
      otherAnswer.release();
    }
  }

  /** Whether Ferry is the one waiting, for an answer to the client's AUTH_RESPONSE. */
  boolean isWaitingForCluster() {
    return authResponse != null && !authResponse.isDone();
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
          } else {
            LOG.debug("[client {}] Ferry authenticated to {}", session.label(), role.id());
            if (heldAuthSuccess != null) {
              ByteBuf success = heldAuthSuccess;
              heldAuthSuccess = null;
              release.accept(success);
            }
          }
          session.flush();
        });
  }

  /**
   * Ferry could not authenticate to the cluster it holds credentials for: the client's exchange
   * ends with an AUTHENTICATION_ERROR, now if it is waiting, else at its next AUTH_RESPONSE.
   */
  private void onFerryAuthenticationFailed(String message) {
    LOG.error("[client {}] {}", session.label(), message);
    ferryFailure = message;
    if (heldAuthSuccess != null) {
      int streamId = Frames.streamId(heldAuthSuccess);
      heldAuthSuccess.release();
      heldAuthSuccess = null;
      fail(streamId, message);
    }
  }

  /** A frame of the client's while it authenticates; takes ownership of {@code frame}. */
  void onAuthResponse(ByteBuf frame, int streamId) {
    int opcode = Frames.opcode(frame);
    if (opcode != Opcode.AUTH_RESPONSE) {
      frame.release();
      session.reply(streamId, MessageCodec.unexpected(opcode, " during authentication"));
      return;
    }
    if (ferryFailure != null) {
      frame.release();
      fail(streamId, ferryFailure);
      return;
    }
    if (isWaitingForCluster()) {
      frame.release();
      String problem = "AUTH_RESPONSE sent before the previous one was answered";
      LOG.error("[client {}] protocol error: {}; closing the connection", session.label(), problem);
      session.reply(0, MessageCodec.protocolError(problem));
      session.close();
      return;
    }
    session
        .clientTokens()
        .record(ProtocolPrimitives.getBytes(frame, Frames.requestMessageIndex(frame)));
    authResponse =
        new ForwardedFrame(
            session,
            session.backend(session.credentialsCluster()),
            streamId,
            this::onAuthResponseAnswered);
    authResponse.send(frame);
  }

  /** The cluster holding the client's credentials answered an AUTH_RESPONSE. */
  private void onAuthResponseAnswered(ForwardedFrame request) {
    int clientStreamId = request.clientStreamId;
    if (request.failed()) {
      String message =
          ForwardedFrame.failure(List.of(request), context.settings().requestTimeout().toMillis());
      LOG.warn("[client {}] AUTH_RESPONSE {}", session.label(), message);
      session.reply(clientStreamId, MessageCodec.serverError(message));
      session.close();
      return;
    }
    ByteBuf answer = request.take();
    if (ferryFailure != null) {
      answer.release();
      fail(clientStreamId, ferryFailure);
      return;
    }
    Frames.setStreamId(answer, clientStreamId);
    switch (Frames.opcode(answer)) {
      case Opcode.AUTH_CHALLENGE -> session.write(answer);
      case Opcode.AUTH_SUCCESS -> {
        if (ferryAuthentication == null || ferryAuthentication.isDone()) {
          release.accept(answer);
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

  private void fail(int streamId, String message) {
    session.reply(streamId, new Error(ProtocolConstants.ErrorCode.AUTH_ERROR, message));
    session.close();
  }

  /** The client connection ended: what is held is released. */
  void end() {
    ReferenceCountUtil.safeRelease(heldAuthSuccess);
    heldAuthSuccess = null;
    if (authResponse != null) {
      authResponse.abandon();
    }
  }
}
