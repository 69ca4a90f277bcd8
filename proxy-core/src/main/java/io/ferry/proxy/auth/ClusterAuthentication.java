package io.ferry.proxy.auth;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.request.AuthResponse;
import com.datastax.oss.protocol.internal.response.AuthChallenge;
import com.datastax.oss.protocol.internal.response.AuthSuccess;
import com.datastax.oss.protocol.internal.response.Error;
import io.ferry.proxy.cluster.ClusterConnection;
import io.ferry.proxy.cluster.Endpoints;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * A SASL exchange Ferry runs itself on one cluster connection, after the node answered STARTUP with
 * AUTHENTICATE. Each AUTH_RESPONSE is sent with a stream id reserved for this object: the
 * connection's listener hands the answers back through {@link #onResponse}.
 *
 * <p>Thread policy: confined to the cluster connection's event loop.
 */
public final class ClusterAuthentication {

  /** Where the exchange stands. */
  public enum Status {
    IN_PROGRESS,
    SUCCEEDED,
    FAILED
  }

  /** More rounds than any mechanism Cassandra or DSE uses; a node asking for more is refused. */
  public static final int MAX_ROUNDS = 5;

  private final ClusterConnection connection;
  private final MessageCodec codec;
  private final int protocolVersion;
  private final SaslAuthenticator authenticator;
  private final long startNanos;
  private Status status = Status.IN_PROGRESS;
  private String failure;
  private int rounds;
  private int streamId = -1;

  /**
   * @param startNanos when the exchange started, for its timeout
   */
  public ClusterAuthentication(
      ClusterConnection connection,
      MessageCodec codec,
      int protocolVersion,
      SaslAuthenticator authenticator,
      long startNanos) {
    this.connection = connection;
    this.codec = codec;
    this.protocolVersion = protocolVersion;
    this.authenticator = authenticator;
    this.startNanos = startNanos;
  }

  /** Sends the first token, without flushing. */
  public Status start() {
    try {
      send(authenticator.initialResponse());
    } catch (AuthenticationException e) {
      fail(e.getMessage());
    }
    return status;
  }

  /**
   * Handles the node's answer to the last AUTH_RESPONSE, sending the next one if the node
   * challenges again (without flushing). Takes ownership of {@code frame}.
   */
  public Status onResponse(ByteBuf frame) {
    streamId = -1;
    Message message;
    try {
      message = codec.decodeResponse(frame).message;
    } catch (RuntimeException e) {
      return fail("unreadable answer to AUTH_RESPONSE: " + e.getMessage());
    } finally {
      frame.release();
    }
    if (message instanceof AuthSuccess) {
      status = Status.SUCCEEDED;
    } else if (message instanceof AuthChallenge challenge) {
      if (rounds >= MAX_ROUNDS) {
        return fail("the node asked for more than " + MAX_ROUNDS + " authentication rounds");
      }
      try {
        send(authenticator.evaluateChallenge(bytes(challenge.token)));
      } catch (AuthenticationException e) {
        fail(e.getMessage());
      }
    } else if (message instanceof Error error) {
      fail(error.message);
    } else {
      fail("unexpected answer to AUTH_RESPONSE: " + message);
    }
    return status;
  }

  /** Gives up (timeout or closing): a late answer is dropped by the connection. */
  public void abandon(String reason) {
    if (status != Status.IN_PROGRESS) {
      return;
    }
    if (streamId >= 0) {
      connection.orphan(streamId);
      streamId = -1;
    }
    fail(reason);
  }

  public Status status() {
    return status;
  }

  /** Why the exchange failed, as the node or Ferry worded it; {@code null} unless it failed. */
  public String failure() {
    return failure;
  }

  public long startNanos() {
    return startNanos;
  }

  public ClusterConnection connection() {
    return connection;
  }

  private void send(byte[] token) {
    int id = connection.reserve(this);
    if (id < 0) {
      fail("no free stream id on " + Endpoints.format(connection.node()));
      return;
    }
    streamId = id;
    rounds++;
    connection.write(
        codec.encodeRequest(
            protocolVersion, id, new AuthResponse(token == null ? null : ByteBuffer.wrap(token))));
  }

  private Status fail(String reason) {
    status = Status.FAILED;
    failure = reason;
    return status;
  }

  /** A token's bytes, without moving {@code buffer}; {@code null} for a null token. */
  public static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
