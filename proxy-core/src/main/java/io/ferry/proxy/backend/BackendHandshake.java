package io.ferry.proxy.backend;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.AuthResponse;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.AuthChallenge;
import com.datastax.oss.protocol.internal.response.AuthSuccess;
import com.datastax.oss.protocol.internal.response.Authenticate;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Ready;
import io.ferry.proxy.auth.AuthenticationException;
import io.ferry.proxy.auth.SaslAuthenticator;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.frame.ProtocolVersion;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The one handshake Ferry runs itself with a node, for every kind of backend connection: STARTUP,
 * then the SASL exchange when the node asks for authentication, and, for connections that choose
 * their protocol version (control connections), stepping down one version at a time while the node
 * refuses it. A client connection's data connections forward the client's own STARTUP instead, and
 * use {@link #authenticate} alone on the cluster Ferry authenticates to with its own credentials.
 *
 * <p>Thread policy: the futures complete on the connection's event loop.
 */
public final class BackendHandshake {

  /** More rounds than any mechanism Cassandra or DSE uses; a node asking for more is refused. */
  public static final int MAX_ROUNDS = 5;

  private BackendHandshake() {}

  /**
   * Sends STARTUP with {@code options} (compression, if they ask for it, starts right after) and
   * authenticates if the node asks. Fails with a {@link VersionRefusedException} when the node
   * refuses the protocol version, an {@link AuthenticationException} when authentication fails (or
   * {@code credentials} has none to offer), or the connection's failure.
   *
   * @param credentials the authenticator for the authenticator class the node names
   */
  public static CompletableFuture<Void> startup(
      CqlClient client,
      Map<String, String> options,
      Function<String, SaslAuthenticator> credentials) {
    // Compression starts right after the STARTUP is written, before its answer can be read.
    Compression compression = Compression.fromOption(options.get("COMPRESSION"));
    CompletableFuture<Frame> answer =
        client.send(new Startup(options), () -> client.connection().startupSent(compression));
    return answer.thenCompose(
        frame -> {
          if (frame.message instanceof Ready) {
            return CompletableFuture.completedFuture(null);
          }
          if (frame.message instanceof Authenticate authenticate) {
            return authenticate(client, credentials.apply(authenticate.authenticator));
          }
          if (frame.message instanceof Error error
              && error.code == ProtocolConstants.ErrorCode.PROTOCOL_ERROR) {
            throw new VersionRefusedException(error.message);
          }
          throw new IllegalStateException("unexpected answer to STARTUP: " + frame.message);
        });
  }

  /**
   * Runs a SASL exchange after the node answered STARTUP with AUTHENTICATE. Fails with an {@link
   * AuthenticationException} naming the node's reason.
   */
  public static CompletableFuture<Void> authenticate(
      CqlClient client, SaslAuthenticator authenticator) {
    return exchange(client, authenticator, authenticator.initialResponse(), 1);
  }

  private static CompletableFuture<Void> exchange(
      CqlClient client, SaslAuthenticator authenticator, byte[] token, int round) {
    return client
        .send(new AuthResponse(token == null ? null : ByteBuffer.wrap(token)))
        .thenCompose(
            frame -> {
              if (frame.message instanceof AuthSuccess) {
                return CompletableFuture.<Void>completedFuture(null);
              }
              if (frame.message instanceof AuthChallenge challenge) {
                if (round >= MAX_ROUNDS) {
                  throw new AuthenticationException(
                      "the node asked for more than " + MAX_ROUNDS + " authentication rounds");
                }
                return exchange(
                    client,
                    authenticator,
                    authenticator.evaluateChallenge(bytes(challenge.token)),
                    round + 1);
              }
              if (frame.message instanceof Error error) {
                throw new AuthenticationException(error.message);
              }
              throw new AuthenticationException(
                  "unexpected answer to AUTH_RESPONSE: " + frame.message);
            });
  }

  /**
   * Opens a connection at {@code version} and runs {@link #startup} on it, stepping down one
   * version at a time while the node refuses the version (a PROTOCOL_ERROR, or closing the
   * connection, as some versions of Cassandra do).
   *
   * @param open opens a connection speaking the given version
   * @param onStepDown told of each refused version, for logs
   */
  public static CompletableFuture<CqlClient> negotiate(
      Function<ProtocolVersion, CompletableFuture<CqlClient>> open,
      ProtocolVersion version,
      Map<String, String> options,
      Function<String, SaslAuthenticator> credentials,
      StepDownListener onStepDown) {
    return open.apply(version)
        .thenCompose(
            opened ->
                startup(opened, options, credentials)
                    .handle(
                        (ignored, failure) -> {
                          if (failure == null) {
                            return CompletableFuture.completedFuture(opened);
                          }
                          opened.close();
                          Throwable cause = unwrap(failure);
                          ProtocolVersion lower = version.lower();
                          boolean versionRefused =
                              cause instanceof VersionRefusedException
                                  || cause instanceof BackendConnection.BackendClosedException;
                          if (versionRefused && lower != null && lower.isSupportedByFerry()) {
                            onStepDown.refused(version, lower);
                            return negotiate(open, lower, options, credentials, onStepDown);
                          }
                          return CompletableFuture.<CqlClient>failedFuture(cause);
                        })
                    .thenCompose(future -> future));
  }

  /** Told when a node refused a version and the next lower one is tried. */
  public interface StepDownListener {
    void refused(ProtocolVersion refused, ProtocolVersion next);
  }

  /** A token's bytes, without moving {@code buffer}; {@code null} for a null token. */
  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  /** The cause of a failed future's exception. */
  public static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  /** The node refused the protocol version. */
  public static final class VersionRefusedException extends RuntimeException {
    VersionRefusedException(String message) {
      super(message);
    }
  }
}
