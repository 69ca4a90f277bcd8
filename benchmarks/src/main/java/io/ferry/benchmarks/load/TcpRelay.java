package io.ferry.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * A plain TCP relay: every accepted connection gets one connection to the backend, and bytes flow
 * both ways untouched. It is the physical limit of any proxy hop (one more socket read and write
 * per message, on the same Netty transport and thread count as Ferry), the baseline Ferry's own
 * cost is measured against.
 *
 * <p>Bytes are written as they are read and flushed once per read burst; reading stops while the
 * other side cannot take more. Thread policy: each pair of channels shares one event loop.
 */
public final class TcpRelay implements AutoCloseable {

  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final Channel server;

  /**
   * @param threads event loop threads; 0 for Netty's default (twice the cores, as Ferry)
   */
  public TcpRelay(InetSocketAddress listen, InetSocketAddress backend, int threads) {
    acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("relay-accept"));
    workers = new NioEventLoopGroup(threads, new DefaultThreadFactory("relay-io"));
    server =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel inbound) {
                    inbound.pipeline().addLast(new Inbound(backend));
                  }
                })
            .bind(listen)
            .syncUninterruptibly()
            .channel();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    acceptor.shutdownGracefully();
    workers.shutdownGracefully().syncUninterruptibly();
  }

  private static final class Inbound extends ChannelInboundHandlerAdapter {
    private final InetSocketAddress backend;

    Inbound(InetSocketAddress backend) {
      this.backend = backend;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel inbound = ctx.channel();
      new Bootstrap()
          .group(inbound.eventLoop())
          .channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.AUTO_READ, false)
          .handler(new Forwarder(inbound))
          .connect(backend)
          .addListener(
              (ChannelFutureListener)
                  connected -> {
                    if (!connected.isSuccess()) {
                      inbound.close();
                      return;
                    }
                    Channel outbound = connected.channel();
                    inbound.pipeline().replace(this, "forward", new Forwarder(outbound));
                    inbound.read();
                    outbound.read();
                  });
    }
  }

  /** Writes what its channel reads to the peer channel. */
  private static final class Forwarder extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Forwarder(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      peer.write(message, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer.flush();
      if (peer.isWritable()) {
        ctx.read();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // our channel drained: the peer may read again
      if (ctx.channel().isWritable()) {
        peer.read();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Runs a relay as its own process: {@code TcpRelay LISTEN_HOST:PORT BACKEND_HOST:PORT}. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: TcpRelay LISTEN_HOST:PORT BACKEND_HOST:PORT");
      System.exit(2);
    }
    try (TcpRelay relay = new TcpRelay(parse(args[0]), parse(args[1]), 0)) {
      System.out.println("relay listening on " + relay.address());
      CountDownLatch forever = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
      forever.await();
    }
  }

  static InetSocketAddress parse(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
  }
}
