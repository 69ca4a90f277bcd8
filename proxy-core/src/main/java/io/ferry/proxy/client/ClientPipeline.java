package io.ferry.proxy.client;

import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.HandlerNames;
import io.ferry.proxy.session.ProxyContext;
import io.ferry.proxy.tls.ClientFacingTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds each accepted client connection's pipeline: TLS when it is on, the frame decoder, then
 * either a {@link ClientConnection} or, beyond the connection limit, a {@link ConnectionLimit}. A
 * client whose TLS handshake fails is logged with the reason, and its connection closes.
 *
 * <p>Thread-safe: shared by the listener for every accepted connection.
 */
public final class ClientPipeline extends ChannelInitializer<SocketChannel> {

  private static final Logger LOG = LoggerFactory.getLogger(ClientPipeline.class);

  private final ProxyContext context;
  private final Optional<ClientFacingTls> tls;
  private final AtomicInteger openConnections = new AtomicInteger();
  private final ChannelGroup channels =
      new DefaultChannelGroup("ferry-clients", GlobalEventExecutor.INSTANCE);

  public ClientPipeline(ProxyContext context, Optional<ClientFacingTls> tls) {
    this.context = context;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    int max = context.settings().maxClientConnections();
    tls.ifPresent(
        clientFacingTls ->
            channel.pipeline().addLast(HandlerNames.TLS, tlsHandler(channel, clientFacingTls)));
    channel
        .pipeline()
        .addLast(
            HandlerNames.FRAME_DECODER,
            new FrameDecoder(context.settings().maxFrameLength(), false));
    if (openConnections.incrementAndGet() > max) {
      // Refused connections hold no slot: they would otherwise keep new clients out after the
      // served ones closed.
      openConnections.decrementAndGet();
      LOG.warn(
          "refusing client connection from {}: {} connections already open (max-client-connections)",
          channel.remoteAddress(),
          max);
      channel
          .pipeline()
          .addLast(
              HandlerNames.CLIENT,
              new ConnectionLimit(context.codec(), max, context.settings().handshakeTimeout()));
    } else {
      channel.pipeline().addLast(HandlerNames.CLIENT, new ClientConnection(context));
      channel.closeFuture().addListener(future -> openConnections.decrementAndGet());
    }
    channels.add(channel);
  }

  private static SslHandler tlsHandler(SocketChannel channel, ClientFacingTls clientFacingTls) {
    SslHandler handler = clientFacingTls.newHandler(channel.alloc());
    handler
        .handshakeFuture()
        .addListener(
            handshake -> {
              if (handshake.isSuccess()) {
                return;
              }
              String client = Endpoints.format(channel.remoteAddress());
              String reason = clientFacingTls.explain(handshake.cause());
              if (ClientFacingTls.isClosedEarly(handshake.cause())) {
                // Port probes of load balancers do this all day long.
                LOG.debug("[client {}] refused: {}", client, reason);
              } else {
                LOG.warn("[client {}] refused: {}", client, reason);
              }
            });
    return handler;
  }

  /** Every open client channel (closed ones leave the group by themselves). */
  public ChannelGroup channels() {
    return channels;
  }

  /**
   * Asks every client connection, on its event loop, to close if it is idle on one of {@code
   * fallbacks} (see {@link ClientConnection#closeIfIdleOn}).
   */
  public void closeIdleOn(java.util.Set<java.net.InetSocketAddress> fallbacks) {
    for (Channel channel : channels) {
      if (channel.pipeline().get(HandlerNames.CLIENT) instanceof ClientConnection connection) {
        channel.eventLoop().execute(() -> connection.closeIfIdleOn(fallbacks));
      }
    }
  }

  /**
   * Requests waiting for a cluster across all client connections, each counted on its own event
   * loop. Blocks briefly; for shutdown, not for the hot path.
   */
  public int inFlightRequests() {
    List<Future<Integer>> counts = new ArrayList<>();
    for (Channel channel : channels) {
      if (channel.pipeline().get(HandlerNames.CLIENT) instanceof ClientConnection connection) {
        counts.add(channel.eventLoop().submit(connection::inFlightRequests));
      }
    }
    int total = 0;
    for (Future<Integer> count : counts) {
      if (count.awaitUninterruptibly(1000) && count.isSuccess()) {
        total += count.getNow();
      }
    }
    return total;
  }

  /** Client connections open now, refused ones not counted. */
  public int openConnections() {
    return openConnections.get();
  }
}
