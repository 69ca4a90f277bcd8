package io.ferry.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A TLS client and a TLS server on two embedded channels, whose bytes the test carries from one to
 * the other: handshakes without sockets.
 */
final class TlsPair implements AutoCloseable {

  private final EmbeddedChannel client;
  private final EmbeddedChannel server;
  private final SslHandler clientTls;
  private final SslHandler serverTls;
  private final List<Throwable> clientErrors = new ArrayList<>();
  private final List<Throwable> serverErrors = new ArrayList<>();

  TlsPair(SslHandler clientTls, SslHandler serverTls) {
    this(clientTls, serverTls, serverTls);
  }

  private TlsPair(SslHandler clientTls, SslHandler serverTls, ChannelHandler serverFront) {
    this.clientTls = clientTls;
    this.serverTls = serverTls;
    this.server = new EmbeddedChannel(serverFront, new Sink(serverErrors));
    this.client = new EmbeddedChannel(clientTls, new Sink(clientErrors));
  }

  /** A server without TLS: it answers what it reads with a CQL frame header, as a node would. */
  static TlsPair withPlainServer(SslHandler clientTls) {
    return new TlsPair(
        clientTls,
        null,
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object message) {
            ReferenceCountUtil.release(message);
            ctx.writeAndFlush(
                ctx.alloc().buffer().writeBytes(new byte[] {(byte) 0x84, 0, 0, 0, 0}));
          }
        });
  }

  /** Carries bytes both ways until neither side has anything left to send. */
  TlsPair exchange() {
    boolean moved = true;
    while (moved) {
      moved = carry(client, server) | carry(server, client);
    }
    return this;
  }

  /** Sends application data from the client, then carries bytes both ways. */
  TlsPair clientWrites(String text) {
    client.writeAndFlush(client.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8)));
    return exchange();
  }

  Future<?> clientHandshake() {
    return clientTls.handshakeFuture();
  }

  Future<?> serverHandshake() {
    return serverTls.handshakeFuture();
  }

  /**
   * What reached the end of the client's pipeline as an exception (TLS alerts after the handshake).
   */
  List<Throwable> clientErrors() {
    return clientErrors;
  }

  private static boolean carry(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (Object message; (message = from.readOutbound()) != null; ) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(message);
      } else {
        ReferenceCountUtil.release(message);
      }
    }
    return moved;
  }

  @Override
  public void close() {
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
  }

  /** Keeps exceptions from failing the embedded channel, and releases application data. */
  private static final class Sink extends ChannelInboundHandlerAdapter {
    private final List<Throwable> errors;

    Sink(List<Throwable> errors) {
      this.errors = errors;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (message instanceof ByteBuf buffer) {
        buffer.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      errors.add(cause);
    }
  }
}
