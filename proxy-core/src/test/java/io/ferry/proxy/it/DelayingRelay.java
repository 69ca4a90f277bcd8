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
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay of our own in front of a node that delays everything the node sends by a delay the
 * test sets at any time: a slow node, made on demand. Bytes keep their order, also when the delay
 * shrinks: bytes read later never overtake bytes still waiting.
 */
final class DelayingRelay implements AutoCloseable {

  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
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
                    connections.add(client);
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
                                  connections.add(connected.channel());
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

  /**
   * Forwards what it reads to {@code peer}, delayed when it comes from the node. Both directions of
   * a connection run on one event loop, whose scheduled tasks with the same deadline run in order;
   * each task forwards the oldest waiting read, and a read never gets an earlier deadline than the
   * one before it.
   */
  private final class Towards extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final boolean fromNode;
    private final Queue<Object> waiting = new ArrayDeque<>();
    private long lastDueNanos;

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
      if (delay == 0 && waiting.isEmpty()) {
        peer.writeAndFlush(message);
        return;
      }
      long now = System.nanoTime();
      long due = now + TimeUnit.MILLISECONDS.toNanos(delay);
      if (!waiting.isEmpty() && due - lastDueNanos < 0) {
        due = lastDueNanos;
      }
      lastDueNanos = due;
      waiting.add(message);
      ctx.executor().schedule(this::forwardOldest, due - now, TimeUnit.NANOSECONDS);
    }

    private void forwardOldest() {
      Object message = waiting.poll();
      if (message == null) {
        return;
      }
      if (peer.isActive()) {
        peer.writeAndFlush(message);
      } else {
        ReferenceCountUtil.release(message);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      // Reads still waiting die with the connection; their tasks then find nothing to forward.
      for (Object message = waiting.poll(); message != null; message = waiting.poll()) {
        ReferenceCountUtil.release(message);
      }
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
    // Closing the connections first releases the bytes still waiting to be forwarded.
    connections.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
