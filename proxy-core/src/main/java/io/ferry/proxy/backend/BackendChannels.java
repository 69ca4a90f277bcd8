package io.ferry.proxy.backend;

import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.HandlerNames;
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
import java.util.concurrent.CompletableFuture;

/**
 * Opens every one of Ferry's TCP connections to nodes, whatever it is for, with the one backend
 * pipeline: TLS first when the cluster uses it, the frame decoder, then the {@link
 * BackendConnection}. No Nagle delay, a connect timeout.
 *
 * <p>Thread-safe; the channel lives on the given event loop.
 */
public final class BackendChannels {

  /** Responses are bounded by the protocol alone: Ferry does not choose what nodes answer. */
  static final int MAX_FRAME_LENGTH = ProxySettings.PROTOCOL_MAX_FRAME_LENGTH;

  private BackendChannels() {}

  /**
   * Connects to {@code node}; the future completes with the connection once it is connected and,
   * with TLS, once the handshake succeeded. It fails with the connect failure or with the {@link
   * io.ferry.proxy.tls.TlsFailureException} that says why the handshake failed.
   */
  public static CompletableFuture<BackendConnection> open(
      EventLoop eventLoop,
      InetSocketAddress node,
      Duration connectTimeout,
      BackendConnection.Options options) {
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
                    ChannelPipeline pipeline = channel.pipeline();
                    options
                        .tls()
                        .ifPresent(
                            tls ->
                                pipeline.addLast(
                                    HandlerNames.TLS,
                                    tls.newHandler(channel.alloc(), node, connectTimeout)));
                    install(pipeline, options);
                  }
                })
            .connect(node);
    CompletableFuture<BackendConnection> opened = new CompletableFuture<>();
    connect.addListener(
        future -> {
          if (!future.isSuccess()) {
            opened.completeExceptionally(future.cause());
          } else if (options.tls().isEmpty()) {
            opened.complete(connectionOf(connect.channel()));
          } else {
            options
                .tls()
                .get()
                .handshake(connect.channel())
                .whenComplete(
                    (channel, failure) -> {
                      if (failure == null) {
                        opened.complete(connectionOf(channel));
                      } else {
                        opened.completeExceptionally(failure);
                      }
                    });
          }
        });
    return opened;
  }

  /**
   * Adds the backend handlers after whatever {@code pipeline} holds (TLS, on a socket): the frame
   * decoder and the connection. Also for channels without a socket, such as the embedded ones of
   * the pipeline benchmarks.
   */
  public static BackendConnection install(
      ChannelPipeline pipeline, BackendConnection.Options options) {
    BackendConnection connection = new BackendConnection(pipeline.channel(), options);
    pipeline
        .addLast(HandlerNames.FRAME_DECODER, new FrameDecoder(MAX_FRAME_LENGTH, true))
        .addLast(HandlerNames.BACKEND, connection);
    return connection;
  }

  private static BackendConnection connectionOf(Channel channel) {
    return (BackendConnection) channel.pipeline().get(HandlerNames.BACKEND);
  }
}
