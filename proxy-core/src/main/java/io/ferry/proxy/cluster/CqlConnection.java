package io.ferry.proxy.cluster;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.Message;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.segment.ModernFraming;
import io.ferry.proxy.segment.SegmentCompression;
import io.ferry.proxy.stream.StreamIdPool;
import io.ferry.proxy.tls.ClusterTls;
import io.ferry.proxy.tls.TlsFailureException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A small asynchronous CQL client for Ferry's own traffic (control connections): whole messages in,
 * whole messages out, decoded with the native-protocol library. Not for the forwarding path.
 *
 * <p>With TLS, the connection is open once its TLS handshake succeeded. A node that refuses Ferry's
 * client certificate may say so only after the handshake (TLS 1.3 servers check it then): requests
 * then fail with a {@link TlsFailureException} that says so, not with a bare closed connection.
 *
 * <p>Thread policy: all state is touched on the connection's event loop; {@link #send} may be
 * called from any thread and hops onto it.
 */
final class CqlConnection extends ChannelInboundHandlerAdapter {

  private static final int STREAM_IDS = 128;

  /** Names of the pipeline's handlers. */
  private static final String FRAME_DECODER = "frameDecoder";

  private static final String CQL = "cql";

  private final Channel channel;
  private final MessageCodec codec;
  private final int protocolVersion;
  private final Duration requestTimeout;
  private final Optional<ClusterTls> tls;
  private final StreamIdPool streamIds = new StreamIdPool(STREAM_IDS);
  private final Pending[] pending = new Pending[STREAM_IDS];
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private volatile Consumer<Frame> eventListener = event -> {};
  private boolean segmented;
  private TlsFailureException tlsFailure;

  private record Pending(CompletableFuture<Frame> future, ScheduledFuture<?> timeout) {}

  private CqlConnection(
      Channel channel,
      MessageCodec codec,
      int protocolVersion,
      Duration requestTimeout,
      Optional<ClusterTls> tls) {
    this.channel = channel;
    this.codec = codec;
    this.protocolVersion = protocolVersion;
    this.requestTimeout = requestTimeout;
    this.tls = tls;
  }

  /**
   * Opens a connection; the future fails if the node cannot be reached or, with TLS, if the
   * handshake fails (with a {@link TlsFailureException} that says why).
   */
  static CompletableFuture<CqlConnection> open(
      EventLoop eventLoop,
      InetSocketAddress address,
      MessageCodec codec,
      int protocolVersion,
      Duration connectTimeout,
      Duration requestTimeout,
      Optional<ClusterTls> tls) {
    CompletableFuture<CqlConnection> result = new CompletableFuture<>();
    NodeChannels.open(
            eventLoop,
            address,
            connectTimeout,
            tls,
            pipeline ->
                pipeline
                    .addLast(FRAME_DECODER, new FrameDecoder(Integer.MAX_VALUE, true))
                    .addLast(
                        CQL,
                        new CqlConnection(
                            pipeline.channel(), codec, protocolVersion, requestTimeout, tls)))
        .whenComplete(
            (channel, failure) -> {
              if (failure == null) {
                result.complete((CqlConnection) channel.pipeline().get(CQL));
              } else {
                result.completeExceptionally(failure);
              }
            });
    return result;
  }

  int protocolVersion() {
    return protocolVersion;
  }

  InetSocketAddress remoteAddress() {
    return (InetSocketAddress) channel.remoteAddress();
  }

  void setEventListener(Consumer<Frame> listener) {
    this.eventListener = listener;
  }

  /** Completes with the reason when the connection closes. */
  CompletableFuture<String> closeFuture() {
    return closed;
  }

  boolean isOpen() {
    return channel.isActive();
  }

  void close() {
    channel.close();
  }

  /**
   * Sends a request; the future completes with the response frame (an ERROR is a normal response),
   * or fails if the connection closes or the request times out.
   */
  CompletableFuture<Frame> send(Message request) {
    CompletableFuture<Frame> future = new CompletableFuture<>();
    if (channel.eventLoop().inEventLoop()) {
      doSend(request, future);
    } else {
      channel.eventLoop().execute(() -> doSend(request, future));
    }
    return future;
  }

  private void doSend(Message request, CompletableFuture<Frame> future) {
    if (!channel.isActive()) {
      future.completeExceptionally(
          tlsFailure != null
              ? tlsFailure
              : new ClosedConnectionException(describe("connection is closed")));
      return;
    }
    int id = streamIds.acquire();
    if (id < 0) {
      future.completeExceptionally(new IllegalStateException(describe("no stream id available")));
      return;
    }
    ScheduledFuture<?> timeout =
        channel
            .eventLoop()
            .schedule(
                () -> {
                  // The id stays reserved: a late answer must not be taken for another request's.
                  Pending late = pending[id];
                  if (late != null && late.future() == future) {
                    future.completeExceptionally(
                        new TimeoutException(
                            describe("no answer within " + requestTimeout.toMillis() + " ms")));
                  }
                },
                requestTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
    pending[id] = new Pending(future, timeout);
    channel.writeAndFlush(codec.encodeRequest(protocolVersion, id, request), channel.voidPromise());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof ByteBuf frame)) {
      channel.close();
      return;
    }
    try {
      int streamId = Frames.streamId(frame);
      Frame decoded = codec.decodeResponse(frame);
      if (!segmented && ProtocolVersion.fromCode(protocolVersion).hasModernFraming()) {
        // v5: everything after the handshake answer travels in segments.
        segmented =
            ModernFraming.installOnHandshakeAnswer(
                channel.pipeline(), FRAME_DECODER, Frames.opcode(frame), SegmentCompression.NONE);
      }
      if (streamId == Frames.EVENT_STREAM_ID) {
        eventListener.accept(decoded);
        return;
      }
      if (streamId < 0 || streamId >= STREAM_IDS || pending[streamId] == null) {
        return;
      }
      Pending request = pending[streamId];
      pending[streamId] = null;
      streamIds.release(streamId);
      request.timeout().cancel(false);
      request.future().complete(decoded);
    } finally {
      frame.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (tlsFailure == null && tls.isPresent() && ClusterTls.isTlsFailure(cause)) {
      tlsFailure = tls.get().failure(cause);
      closed.complete(tlsFailure.getMessage());
    }
    closed.complete(cause.toString());
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed.complete("connection closed by " + Endpoints.format(remoteAddress()));
    for (int id = 0; id < STREAM_IDS; id++) {
      Pending request = pending[id];
      if (request != null) {
        pending[id] = null;
        request.timeout().cancel(false);
        request
            .future()
            .completeExceptionally(
                tlsFailure != null
                    ? tlsFailure
                    : new ClosedConnectionException(describe("connection closed")));
      }
    }
  }

  private String describe(String problem) {
    return Endpoints.format(channel.remoteAddress()) + ": " + problem;
  }

  /** The connection closed before the answer arrived. */
  static final class ClosedConnectionException extends RuntimeException {
    ClosedConnectionException(String message) {
      super(message);
    }
  }
}
