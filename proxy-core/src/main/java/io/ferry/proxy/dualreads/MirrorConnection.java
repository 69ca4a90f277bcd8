package io.ferry.proxy.dualreads;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.request.Query;
import io.ferry.proxy.auth.SaslAuthenticator;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.backend.BackendHandshake;
import io.ferry.proxy.backend.CqlClient;
import io.ferry.proxy.cluster.ClusterConnector;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.metrics.NodeError;
import io.ferry.proxy.metrics.ProxyMetrics.DroppedRead;
import io.ferry.proxy.stream.DeadlineQueue;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's connection to the secondary cluster for mirrored reads: its own backend
 * connection and stream ids, its own handshake (Ferry sends the client's STARTUP options), its own
 * keyspace. A read is mirrored only when the connection can take it at once; otherwise it is
 * dropped and counted, so a slow or absent secondary never delays the client.
 *
 * <p>Buffer ownership: the frame a read is mirrored with goes to the backend connection; the
 * secondary's answer goes to its {@link MirroredRead}.
 *
 * <p>Thread policy: used on the client connection's event loop only, which also serves it.
 */
final class MirrorConnection implements BackendConnection.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorConnection.class);

  /** After the connection broke, how long before Ferry tries to open it again. */
  private static final long RETRY_DELAY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private enum State {
    CONNECTING,
    HANDSHAKING,
    READY,
    BROKEN,
    CLOSED
  }

  private final DualReads dualReads;
  private final MessageCodec codec;
  private final ClusterConnector connector;
  private final EventLoop eventLoop;
  private final String label;
  private final int protocolVersion;
  private final Map<String, String> startupOptions;
  // Gives the authenticator for the authenticator class the node names.
  private final Function<String, SaslAuthenticator> credentials;
  private final DeadlineQueue<MirroredRead> awaiting;
  private InetSocketAddress node;
  private BackendConnection connection;
  private State state = State.BROKEN;
  private long retryAfterNanos;
  private String keyspace;
  private boolean usePending;

  MirrorConnection(
      DualReads dualReads,
      MessageCodec codec,
      ClusterConnector connector,
      EventLoop eventLoop,
      String label,
      int protocolVersion,
      Map<String, String> startupOptions,
      Function<String, SaslAuthenticator> credentials,
      long timeoutNanos) {
    this.dualReads = dualReads;
    this.codec = codec;
    this.connector = connector;
    this.eventLoop = eventLoop;
    this.label = label;
    this.protocolVersion = protocolVersion;
    this.startupOptions = startupOptions;
    this.credentials = credentials;
    this.awaiting = new DeadlineQueue<>(timeoutNanos);
  }

  /** The cluster mirrored reads go to. */
  ClusterRole cluster() {
    return connector.role();
  }

  /**
   * Sends a read to the secondary if the connection can take it now.
   *
   * @param requiredKeyspace the keyspace unqualified table names must resolve in, or null
   * @param frameForStreamId builds the frame to send with the stream id it is given
   * @return whether the read was sent; when not, it was counted as dropped
   */
  boolean mirror(
      MirroredRead read,
      String requiredKeyspace,
      InetSocketAddress secondaryNode,
      IntFunction<ByteBuf> frameForStreamId) {
    if (state != State.READY) {
      if (state == State.BROKEN && System.nanoTime() - retryAfterNanos >= 0) {
        open(secondaryNode);
      }
      return drop(DroppedRead.NO_CONNECTION);
    }
    if (requiredKeyspace != null && !requiredKeyspace.equals(keyspace)) {
      if (!usePending) {
        sendUse(requiredKeyspace);
      }
      return drop(DroppedRead.KEYSPACE_PENDING);
    }
    if (!connection.isWritable()) {
      return drop(DroppedRead.BACKPRESSURE);
    }
    int streamId = connection.reserve(read);
    if (streamId < 0) {
      return drop(DroppedRead.NO_STREAM_ID);
    }
    read.sentOn(this, streamId);
    connection.write(frameForStreamId.apply(streamId));
    connection.metrics().inFlight(1);
    awaiting.add(read, read.startNanos);
    return true;
  }

  /** Sends what {@link #mirror} wrote. */
  void flush() {
    if (connection != null) {
      connection.flush();
    }
  }

  private boolean drop(DroppedRead reason) {
    dualReads.metrics().readNotMirrored(reason);
    return false;
  }

  private void open(InetSocketAddress secondaryNode) {
    state = State.CONNECTING;
    node = secondaryNode;
    connector
        .connectForMirroredReads(eventLoop, protocolVersion, label, secondaryNode)
        .whenComplete(
            (opened, failure) -> {
              if (failure != null) {
                broken("cannot connect: " + failure.getMessage());
              } else if (state == State.CLOSED) {
                opened.close("client connection closed");
              } else {
                handshake(opened);
              }
            });
  }

  private void handshake(BackendConnection opened) {
    connection = opened;
    opened.setListener(this);
    state = State.HANDSHAKING;
    long timeout = dualReads.settings().handshakeTimeout().toMillis();
    eventLoop.schedule(
        () -> {
          if (connection == opened && state == State.HANDSHAKING) {
            broken("no handshake within " + timeout + " ms");
            opened.close("handshake timed out");
          }
        },
        timeout,
        TimeUnit.MILLISECONDS);
    BackendHandshake.startup(new CqlClient(opened, codec), startupOptions, credentials)
        .whenComplete(
            (ready, failure) -> {
              if (connection != opened || state != State.HANDSHAKING) {
                return;
              }
              if (failure == null) {
                state = State.READY;
              } else {
                broken("handshake failed: " + BackendHandshake.unwrap(failure).getMessage());
                opened.close("handshake failed");
              }
            });
  }

  private void sendUse(String requiredKeyspace) {
    usePending = true;
    BackendConnection using = connection;
    String quoted = "\"" + requiredKeyspace.replace("\"", "\"\"") + "\"";
    new CqlClient(using, codec)
        .send(new Query("USE " + quoted))
        .whenComplete(
            (answer, failure) -> {
              if (connection != using) {
                return;
              }
              usePending = false;
              if (failure == null
                  && answer.message instanceof com.datastax.oss.protocol.internal.response.Result) {
                keyspace = requiredKeyspace;
              }
            });
  }

  private void broken(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    if (state != State.BROKEN) {
      LOG.warn(
          "[client {} → mirror {} {}] mirrored reads paused: {}",
          label,
          connector.role().id(),
          Endpoints.format(node),
          reason);
    }
    state = State.BROKEN;
    retryAfterNanos = System.nanoTime() + RETRY_DELAY_NANOS;
    keyspace = null;
    usePending = false;
    failPending();
  }

  /** The secondary answered {@code read}; takes ownership of {@code frame}. */
  void answered(MirroredRead read, BackendConnection from, ByteBuf frame) {
    awaiting.remove(read);
    from.metrics().inFlight(-1);
    from.metrics().recordRequest(false, System.nanoTime() - read.startNanos);
    if (Frames.opcode(frame) == Opcode.ERROR) {
      int code = frame.getInt(Frames.responseMessageIndex(frame));
      from.metrics().recordFailure(NodeError.of(code));
      if (code == ProtocolConstants.ErrorCode.UNPREPARED) {
        LOG.debug("[client {}] mirrored read unprepared on the secondary", label);
      }
    }
    read.secondaryAnswered(frame);
  }

  /** Ends mirrored reads the secondary has not answered within the request timeout. */
  void expire(long now) {
    MirroredRead read;
    while ((read = awaiting.pollExpired(now)) != null) {
      connection.orphan(read.streamId);
      connection.metrics().inFlight(-1);
      connection.metrics().recordFailure(NodeError.CLIENT_TIMEOUT);
      read.secondaryFailed();
    }
  }

  @Override
  public void onClosed(BackendConnection from, String reason) {
    if (from == connection) {
      broken("connection lost: " + reason);
      connection = null;
    }
  }

  /** Closes the connection; reads still waiting end without a comparison. */
  void close() {
    state = State.CLOSED;
    failPending();
    if (connection != null) {
      connection.close("client connection closed");
    }
  }

  private void failPending() {
    MirroredRead read;
    while ((read = awaiting.poll()) != null) {
      if (connection != null) {
        connection.metrics().inFlight(-1);
      }
      read.secondaryFailed();
    }
  }
}
