package io.ferry.proxy.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay of our own in front of a node that delays everything the node sends by a delay the
 * test sets at any time: a slow node, made on demand. Bytes keep their order.
 */
final class DelayingRelay implements AutoCloseable {

  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final Channel server;
  private volatile long delayMillis;
  private final AtomicLong bytesToNode = new AtomicLong();
  private final AtomicLong bytesFromNode = new AtomicLong();

  DelayingRelay(String address, int port, InetSocketAddress upstream) {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel client) {
                    client.config().setAutoRead(false);
                    new Bootstrap()
                        .group(client.eventLoop())
                        .channel(NioSocketChannel.class)
                        .handler(new Towards(client, true))
                        .connect(upstream)
                        .addListener(
                            (ChannelFutureListener)
                                connected -> {
                                  if (!connected.isSuccess()) {
                                    client.close();
                                    return;
                                  }
                                  client
                                      .pipeline()
                                      .addLast(new Towards(connected.channel(), false));
                                  client.config().setAutoRead(true);
                                });
                  }
                })
            .bind(address, port)
            .syncUninterruptibly()
            .channel();
  }

  /** Bytes relayed to the node since the relay started. */
  long bytesToNode() {
    return bytesToNode.get();
  }

  /** Bytes relayed from the node since the relay started. */
  long bytesFromNode() {
    return bytesFromNode.get();
  }

  void setDelayMillis(long delayMillis) {
    this.delayMillis = delayMillis;
  }

  /** Forwards what it reads to {@code peer}, delayed when it comes from the node. */
  private final class Towards extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final boolean fromNode;

    Towards(Channel peer, boolean fromNode) {
      this.peer = peer;
      this.fromNode = fromNode;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (message instanceof ByteBuf bytes) {
        (fromNode ? bytesFromNode : bytesToNode).addAndGet(bytes.readableBytes());
      }
      long delay = fromNode ? delayMillis : 0;
      if (delay == 0) {
        peer.writeAndFlush(message);
      } else {
        ctx.executor()
            .schedule(
                () -> {
                  if (peer.isActive()) {
                    peer.writeAndFlush(message);
                  } else {
                    ReferenceCountUtil.release(message);
                  }
                },
                delay,
                TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      peer.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
