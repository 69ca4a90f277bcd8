package io.ferry.proxy.dualreads;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.Authenticate;
import io.ferry.proxy.auth.ClusterAuthentication;
import io.ferry.proxy.auth.SaslAuthenticator;
import io.ferry.proxy.cluster.ClusterConnection;
import io.ferry.proxy.cluster.ClusterConnector;
import io.ferry.proxy.cluster.ClusterRole;
import io.ferry.proxy.cluster.Endpoints;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.metrics.NodeError;
import io.ferry.proxy.metrics.ProxyMetrics.DroppedRead;
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
 * One client connection's connection to the secondary cluster for mirrored reads: its own stream
 * ids and write buffer, its own handshake (Ferry sends the client's STARTUP options), its own
 * keyspace. A read is mirrored only when the connection can take it at once; otherwise it is
 * dropped and counted, so a slow or absent secondary never delays the client.
 *
 * <p>Thread policy: used on the client connection's event loop only, which also serves it.
 */
public final class MirrorConnection implements ClusterConnection.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorConnection.class);

  /** After the connection broke, how long before Ferry tries to open it again. */
  private static final long RETRY_DELAY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final Object HANDSHAKE = new Object();

  private enum State {
    CONNECTING,
    HANDSHAKING,
    READY,
    BROKEN,
    CLOSED
  }

  /** A USE sent so that unqualified tables resolve as on the client connection. */
  private record UseRequest(String keyspace) {}

  private final DualReads dualReads;
  private final MessageCodec codec;
  private final ClusterConnector connector;
  private final EventLoop eventLoop;
  private final String label;
  private final int protocolVersion;
  private final Map<String, String> startupOptions;
  // Gives the authenticator for the authenticator class the node names.
  private final Function<String, SaslAuthenticator> credentials;
  private ClusterAuthentication authentication;
  private final long timeoutNanos;
  private InetSocketAddress node;
  private ClusterConnection connection;
  private State state = State.BROKEN;
  private long retryAfterNanos;
  private String keyspace;
  private boolean usePending;
  private MirroredRead oldest;
  private MirroredRead newest;

  public MirrorConnection(
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
    this.timeoutNanos = timeoutNanos;
  }

  /** The cluster mirrored reads go to. */
  public ClusterRole cluster() {
    return connector.role();
  }

  /**
   * Sends a read to the secondary if the connection can take it now.
   *
   * @param requiredKeyspace the keyspace unqualified table names must resolve in, or null
   * @param frameForStreamId builds the frame to send with the stream id it is given
   * @return whether the read was sent; when not, it was counted as dropped
   */
  public boolean mirror(
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
    read.streamId = streamId;
    connection.write(frameForStreamId.apply(streamId));
    connection.metrics().inFlight(1);
    track(read);
    return true;
  }

  /** Sends what {@link #mirror} wrote. */
  public void flush() {
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

  private void handshake(ClusterConnection opened) {
    connection = opened;
    opened.setListener(this);
    state = State.HANDSHAKING;
    int streamId = opened.reserve(HANDSHAKE);
    opened.write(codec.encodeRequest(protocolVersion, streamId, new Startup(startupOptions)));
    opened.startupSent(Compression.fromOption(startupOptions.get("COMPRESSION")));
    opened.flush();
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
  }

  private void authenticate(ClusterConnection from, ByteBuf authenticate) {
    String authenticator;
    try {
      authenticator = ((Authenticate) codec.decodeResponse(authenticate).message).authenticator;
    } finally {
      authenticate.release();
    }
    authentication =
        new ClusterAuthentication(
            from, codec, protocolVersion, credentials.apply(authenticator), System.nanoTime());
    if (authentication.start() == ClusterAuthentication.Status.FAILED) {
      broken("authentication failed: " + authentication.failure());
      from.close("authentication failed");
    } else {
      from.flush();
    }
  }

  private void onAuthenticationAnswer(
      ClusterConnection from, ByteBuf frame, ClusterAuthentication exchange) {
    if (exchange != authentication) {
      frame.release();
      return;
    }
    switch (exchange.onResponse(frame)) {
      case IN_PROGRESS -> from.flush();
      case SUCCEEDED -> state = State.READY;
      case FAILED -> {
        broken("authentication failed: " + exchange.failure());
        from.close("authentication failed");
      }
    }
  }

  private void sendUse(String requiredKeyspace) {
    int streamId = connection.reserve(new UseRequest(requiredKeyspace));
    if (streamId < 0) {
      return;
    }
    usePending = true;
    String quoted = "\"" + requiredKeyspace.replace("\"", "\"\"") + "\"";
    connection.write(codec.encodeRequest(protocolVersion, streamId, new Query("USE " + quoted)));
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

  @Override
  public void onResponse(ClusterConnection from, ByteBuf frame, Object request) {
    if (request instanceof ClusterAuthentication exchange) {
      onAuthenticationAnswer(from, frame, exchange);
      return;
    }
    if (request == HANDSHAKE) {
      int opcode = Frames.opcode(frame);
      if (opcode == Opcode.AUTHENTICATE) {
        authenticate(from, frame);
        return;
      }
      frame.release();
      if (opcode == Opcode.READY) {
        state = State.READY;
      } else {
        broken("the secondary answered the handshake with opcode 0x" + Integer.toHexString(opcode));
        from.close("handshake refused");
      }
      return;
    }
    if (request instanceof UseRequest use) {
      usePending = false;
      if (Frames.opcode(frame) == Opcode.RESULT) {
        keyspace = use.keyspace();
      }
      frame.release();
      return;
    }
    MirroredRead read = (MirroredRead) request;
    untrack(read);
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
  public void expire(long now) {
    while (oldest != null && now - oldest.startNanos >= timeoutNanos) {
      MirroredRead read = oldest;
      untrack(read);
      connection.orphan(read.streamId);
      connection.metrics().inFlight(-1);
      connection.metrics().recordFailure(NodeError.CLIENT_TIMEOUT);
      read.secondaryFailed();
    }
  }

  @Override
  public void onEvent(ClusterConnection from, ByteBuf frame) {
    frame.release();
  }

  @Override
  public void onClosed(ClusterConnection from, String reason) {
    if (from == connection) {
      broken("connection lost: " + reason);
      connection = null;
    }
  }

  @Override
  public void onWritabilityChanged(ClusterConnection from) {}

  @Override
  public void onReadComplete(ClusterConnection from) {}

  /** Closes the connection; reads still waiting end without a comparison. */
  public void close() {
    state = State.CLOSED;
    failPending();
    if (connection != null) {
      connection.close("client connection closed");
    }
  }

  private void failPending() {
    while (oldest != null) {
      MirroredRead read = oldest;
      untrack(read);
      if (connection != null) {
        connection.metrics().inFlight(-1);
      }
      read.secondaryFailed();
    }
  }

  private void track(MirroredRead read) {
    read.previous = newest;
    if (newest != null) {
      newest.next = read;
    } else {
      oldest = read;
    }
    newest = read;
  }

  private void untrack(MirroredRead read) {
    if (read.previous != null) {
      read.previous.next = read.next;
    } else if (oldest == read) {
      oldest = read.next;
    }
    if (read.next != null) {
      read.next.previous = read.previous;
    } else if (newest == read) {
      newest = read.previous;
    }
    read.previous = null;
    read.next = null;
  }
}
