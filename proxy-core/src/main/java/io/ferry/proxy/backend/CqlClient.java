package io.ferry.proxy.backend;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.Message;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Ferry's internal CQL client: whole messages in, whole messages out, decoded with the
 * native-protocol library, over a {@link BackendConnection}. It carries the control connections'
 * traffic, and the handshake steps Ferry runs itself on any backend connection. Not for the
 * forwarding path, which never decodes what it forwards.
 *
 * <p>Thread policy: {@link #send} may be called from any thread and hops onto the connection's
 * event loop; futures complete on that event loop.
 */
public final class CqlClient {

  private final BackendConnection connection;
  private final MessageCodec codec;
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private volatile Consumer<Frame> eventListener = event -> {};

  /** A client for Ferry's own requests on {@code connection}, whose listener stays its owner's. */
  public CqlClient(BackendConnection connection, MessageCodec codec) {
    this.connection = connection;
    this.codec = codec;
  }

  /**
   * Opens a connection used by this client alone (a control connection): it hears the node's events
   * and its closing. The future fails if the node cannot be reached or, with TLS, if the handshake
   * fails (with a {@link io.ferry.proxy.tls.TlsFailureException} that says why).
   */
  public static CompletableFuture<CqlClient> open(
      EventLoop eventLoop,
      InetSocketAddress node,
      Duration connectTimeout,
      BackendConnection.Options options,
      MessageCodec codec) {
    return BackendChannels.open(eventLoop, node, connectTimeout, options)
        .thenApply(
            connection -> {
              CqlClient client = new CqlClient(connection, codec);
              connection.setListener(client.new OwnListener());
              if (!connection.channel().isActive()) {
                client.closed.complete("connection closed right after it opened");
              }
              return client;
            });
  }

  public BackendConnection connection() {
    return connection;
  }

  public int protocolVersion() {
    return connection.protocolVersion();
  }

  public InetSocketAddress remoteAddress() {
    return connection.node();
  }

  /** Receives the node's events, decoded (for a client made by {@link #open}). */
  public void setEventListener(Consumer<Frame> listener) {
    this.eventListener = listener;
  }

  /** Completes with the reason when the connection closes (for a client made by {@link #open}). */
  public CompletableFuture<String> closeFuture() {
    return closed;
  }

  public boolean isOpen() {
    return connection.isOpen();
  }

  public void close() {
    connection.close("closed by Ferry");
  }

  /**
   * Sends a request and flushes; the future completes with the response (an ERROR is a normal
   * response), or fails if the connection closes or the request times out.
   */
  public CompletableFuture<Frame> send(Message request) {
    return send(request, () -> {});
  }

  /**
   * Like {@link #send(Message)}, running {@code afterWrite} on the event loop right after the
   * request was written, before any answer can be read.
   */
  CompletableFuture<Frame> send(Message request, Runnable afterWrite) {
    CompletableFuture<Frame> future = new CompletableFuture<>();
    EventLoop eventLoop = connection.channel().eventLoop();
    if (eventLoop.inEventLoop()) {
      doSend(request, future, afterWrite);
    } else {
      eventLoop.execute(() -> doSend(request, future, afterWrite));
    }
    return future;
  }

  private void doSend(Message request, CompletableFuture<Frame> future, Runnable afterWrite) {
    ByteBuf frame;
    try {
      frame = codec.encodeRequest(connection.protocolVersion(), 0, request);
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
      return;
    }
    connection.send(frame, new MessageRequest(future));
    afterWrite.run();
    connection.flush();
  }

  /** One request of this client: its answer, decoded, completes the future. */
  private final class MessageRequest extends OwnRequest {
    private final CompletableFuture<Frame> future;

    MessageRequest(CompletableFuture<Frame> future) {
      this.future = future;
    }

    @Override
    protected void answered(ByteBuf frame) {
      try {
        future.complete(codec.decodeResponse(frame));
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
      } finally {
        frame.release();
      }
    }

    @Override
    protected void failed(RuntimeException cause) {
      future.completeExceptionally(cause);
    }
  }

  /** The listener of a connection this client owns. */
  private final class OwnListener implements BackendConnection.Listener {
    @Override
    public void onEvent(BackendConnection from, ByteBuf frame) {
      Frame event;
      try {
        event = codec.decodeResponse(frame);
      } finally {
        frame.release();
      }
      eventListener.accept(event);
    }

    @Override
    public void onClosed(BackendConnection from, String reason) {
      closed.complete(reason);
    }
  }
}
