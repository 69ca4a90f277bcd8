package io.ferry.proxy.cluster;

import io.ferry.proxy.tls.ClusterTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Opens Ferry's TCP connections to nodes, for the control connections and the client connections'
 * cluster connections alike: no Nagle delay, a connect timeout, TLS first in the pipeline when the
 * cluster uses it, then the caller's handlers.
 *
 * <p>Thread-safe; the channel lives on the given event loop.
 */
final class NodeChannels {

  /** The name of the TLS handler, first in the pipeline. */
  static final String TLS = "tls";

  private NodeChannels() {}

  /**
   * Connects to {@code node}; the future completes with the channel once it is connected and, with
   * TLS, once the handshake succeeded. It fails with the connect failure or with the {@link
   * io.ferry.proxy.tls.TlsFailureException} that says why the handshake failed.
   *
   * @param handlers adds the handlers that follow TLS
   */
  static CompletableFuture<Channel> open(
      EventLoop eventLoop,
      InetSocketAddress node,
      Duration connectTimeout,
      Optional<ClusterTls> tls,
      Consumer<ChannelPipeline> handlers) {
    ChannelFuture connect =
        new Bootstrap()
            .group(eventLoop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    tls.ifPresent(
                        clusterTls ->
                            channel
                                .pipeline()
                                .addLast(
                                    TLS,
                                    clusterTls.newHandler(channel.alloc(), node, connectTimeout)));
                    handlers.accept(channel.pipeline());
                  }
                })
            .connect(node);
    CompletableFuture<Channel> opened = new CompletableFuture<>();
    connect.addListener(
        future -> {
          if (!future.isSuccess()) {
            opened.completeExceptionally(future.cause());
          } else if (tls.isEmpty()) {
            opened.complete(connect.channel());
          } else {
            tls.get()
                .handshake(connect.channel())
                .whenComplete(
                    (channel, failure) -> {
                      if (failure == null) {
                        opened.complete(channel);
                      } else {
                        opened.completeExceptionally(failure);
                      }
                    });
          }
        });
    return opened;
  }
}
