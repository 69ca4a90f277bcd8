package io.ferry.proxy.client;

import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for a {@link ClientConnection} on a connection accepted beyond {@code
 * max-client-connections}: answers the client's first frame with an error that says so, then
 * closes, so the application's logs tell why instead of showing a bare disconnect. A client that
 * sends no whole frame is closed after {@code handshake-timeout}.
 *
 * <p>Thread policy: a channel handler, used on its channel's event loop only.
 */
final class ConnectionLimit extends ChannelInboundHandlerAdapter {

  private final MessageCodec codec;
  private final int maxConnections;
  private final Duration handshakeTimeout;
  private boolean answered;

  ConnectionLimit(MessageCodec codec, int maxConnections, Duration handshakeTimeout) {
    this.codec = codec;
    this.maxConnections = maxConnections;
    this.handshakeTimeout = handshakeTimeout;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ScheduledFuture<?> deadline =
        ctx.executor()
            .schedule(() -> ctx.close(), handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
    ctx.channel().closeFuture().addListener(closed -> deadline.cancel(false));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof ByteBuf frame) || answered) {
      ReferenceCountUtil.release(message);
      ctx.close();
      return;
    }
    answered = true;
    int version = Frames.version(frame);
    int streamId = Math.max(0, Frames.streamId(frame));
    frame.release();
    if (ProtocolVersion.fromCode(version) == null
        || !ProtocolVersion.fromCode(version).isSupportedByFerry()) {
      version = ProtocolVersion.HIGHEST_SUPPORTED.code();
    }
    ByteBuf error =
        codec.encodeResponse(
            version,
            streamId,
            MessageCodec.serverError(
                "Ferry already serves its maximum of "
                    + maxConnections
                    + " client connections (max-client-connections, ZDM_PROXY_MAX_CLIENT_CONNECTIONS)"));
    ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Nothing to serve; a failed TLS handshake was logged by the client pipeline.
    ctx.close();
  }
}
