package io.ferry.admin.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.admin.errors.RefusedException;
import io.ferry.proxy.common.Endpoints;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server with a fixed route table and JSON bodies (Jackson).
 *
 * <p>Thread policy: requests are served on the server's own event loop thread; handlers must not
 * block it (blocking work belongs on a worker pool).
 */
public final class HttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  /** Request bodies are small JSON documents; anything larger is refused with 413. */
  private static final int MAX_BODY_BYTES = 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final List<Route> routes;
  private final EventLoopGroup group;
  private final Channel channel;

  private HttpServer(String name, List<Route> routes, EventLoopGroup group, Channel channel) {
    this.name = name;
    this.routes = routes;
    this.group = group;
    this.channel = channel;
  }

  /**
   * Binds the server.
   *
   * @param name for thread names and logs, e.g. {@code admin}
   * @throws IllegalStateException naming the address if it cannot be bound
   */
  public static HttpServer start(String name, String address, int port, List<Route> routes) {
    return start(name, address, port, routes, AccessRules.open());
  }

  /**
   * Binds the server; when the rules have a token, every request must carry {@code Authorization:
   * Bearer <token>} or is answered 401; with the browser guard, a request a browser sent for a page
   * of another site is answered 403.
   */
  public static HttpServer start(
      String name, String address, int port, List<Route> routes, AccessRules access) {
    BrowserGuard guard =
        access.browserGuard() ? new BrowserGuard(address, access.hostNames()) : null;
    EventLoopGroup group =
        new NioEventLoopGroup(1, new DefaultThreadFactory("ferry-" + name + "-http"));
    List<Route> table = List.copyOf(routes);
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                      initialize(channel.pipeline(), table, access.token(), guard);
                    }
                  })
              .bind(address, port)
              .syncUninterruptibly()
              .channel();
      HttpServer server = new HttpServer(name, table, group, channel);
      LOG.info("{} HTTP server listening on {}", name, Endpoints.format(server.address()));
      return server;
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "cannot listen on "
              + address
              + ":"
              + port
              + " for the "
              + name
              + " API: "
              + e.getMessage(),
          e);
    }
  }

  /** Names of the handlers of each connection's pipeline. */
  static final String HTTP_CODEC = "http";

  static final String AGGREGATOR = "aggregator";
  static final String ROUTES = "routes";

  /**
   * Builds a connection's pipeline: HTTP/1.1, whole requests with bodies of up to {@value
   * #MAX_BODY_BYTES} bytes, then the route table.
   */
  static void initialize(
      ChannelPipeline pipeline, List<Route> routes, String token, BrowserGuard guard) {
    pipeline
        .addLast(HTTP_CODEC, new HttpServerCodec())
        .addLast(AGGREGATOR, new BodyLimit())
        .addLast(ROUTES, new RouteHandler(routes, token, guard));
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  public List<Route> routes() {
    return routes;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    LOG.debug("{} HTTP server stopped", name);
  }

  /** Dispatches requests to routes. Thread policy: on the server's event loop. */
  private static final class RouteHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final List<Route> routes;
    private final String token;
    private final BrowserGuard guard;

    RouteHandler(List<Route> routes, String token, BrowserGuard guard) {
      this.routes = routes;
      this.token = token;
      this.guard = guard;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        // The decoder discards everything after a malformed request: the connection is over.
        String problem = request.decoderResult().cause().getMessage();
        write(
            ctx,
            false,
            ErrorMapping.error(400, "InvalidArguments", "malformed HTTP request: " + problem));
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      String refusal =
          guard == null
              ? null
              : guard.refusal(
                  request.headers(),
                  ctx.channel().localAddress() instanceof InetSocketAddress local ? local : null);
      if (refusal != null) {
        HttpRequest refused =
            new HttpRequest(
                request.method().name(),
                new QueryStringDecoder(request.uri()).rawPath(),
                Map.of(),
                Map.of(),
                new byte[0],
                caller(ctx, false));
        write(ctx, keepAlive, ErrorMapping.toResponse(refused, new RefusedException(refusal)));
        return;
      }
      if (!token.isEmpty() && !authorized(request)) {
        write(
            ctx,
            keepAlive,
            ErrorMapping.error(
                401,
                "Unauthorized",
                "missing or wrong admin token (expected: an `Authorization: Bearer <token>` header"
                    + " with the token configured as FERRY_ADMIN_TOKEN)"));
        return;
      }
      HttpRequest apiRequest = apiRequest(request, caller(ctx, !token.isEmpty()));
      if (apiRequest == null) {
        write(
            ctx,
            keepAlive,
            ErrorMapping.error(
                400,
                "InvalidArguments",
                "malformed URI: " + request.uri() + " (expected: %-escapes of UTF-8 bytes)"));
        return;
      }
      dispatch(ctx, keepAlive, apiRequest);
    }

    /**
     * Who sent a request, for the audit log: the client's address, and whether it has the token.
     */
    private static String caller(ChannelHandlerContext ctx, boolean withToken) {
      return (ctx.channel().remoteAddress() instanceof InetSocketAddress remote
              ? Endpoints.format(remote)
              : String.valueOf(ctx.channel().remoteAddress()))
          + (withToken ? " (admin token)" : "");
    }

    private boolean authorized(FullHttpRequest request) {
      String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return false;
      }
      byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
      return java.security.MessageDigest.isEqual(presented, token.getBytes(StandardCharsets.UTF_8));
    }

    /** The request as handlers see it, or {@code null} if its URI cannot be decoded. */
    private static HttpRequest apiRequest(FullHttpRequest request, String caller) {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      String path;
      Map<String, List<String>> parameters;
      try {
        path = uri.path();
        parameters = uri.parameters();
      } catch (IllegalArgumentException e) {
        return null;
      }
      byte[] body = new byte[request.content().readableBytes()];
      request.content().getBytes(request.content().readerIndex(), body);
      return new HttpRequest(request.method().name(), path, Map.of(), parameters, body, caller);
    }

    private void dispatch(ChannelHandlerContext ctx, boolean keepAlive, HttpRequest request) {
      boolean pathMatched = false;
      for (Route route : routes) {
        Map<String, String> parameters = route.match(request.path());
        if (parameters == null) {
          continue;
        }
        pathMatched = true;
        if (!route.method().equals(request.method())) {
          continue;
        }
        HttpRequest withParameters = request.withPathParameters(parameters);
        if (route.executor() == null) {
          write(ctx, keepAlive, serve(route, withParameters));
          return;
        }
        try {
          route.executor().execute(() -> write(ctx, keepAlive, serve(route, withParameters)));
        } catch (RuntimeException refused) {
          // A full (or stopping) pool: answered at once, on the event loop.
          write(ctx, keepAlive, ErrorMapping.toResponse(withParameters, refused));
        }
        return;
      }
      HttpResponse error =
          pathMatched
              ? ErrorMapping.error(
                  405,
                  "MethodNotAllowed",
                  request.method() + " is not supported on " + request.path())
              : ErrorMapping.error(
                  404, "NotFound", "no such endpoint: " + request.method() + " " + request.path());
      write(ctx, keepAlive, error);
    }

    private static HttpResponse serve(Route route, HttpRequest request) {
      try {
        return route.handler().handle(request);
      } catch (Exception e) {
        return ErrorMapping.toResponse(request, e);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug(
          "HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /**
   * Collects whole requests; a body over {@value #MAX_BODY_BYTES} bytes is answered with a 413 in
   * the JSON shape of every other error, and the connection is closed, as where the rest of that
   * body ends cannot be known.
   */
  private static final class BodyLimit extends HttpObjectAggregator {

    BodyLimit() {
      super(MAX_BODY_BYTES);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      write(
          ctx,
          false,
          ErrorMapping.error(
              413,
              "InvalidArguments",
              "request body larger than " + MAX_BODY_BYTES + " bytes (expected: a JSON document)"));
    }
  }

  /** Sends a response; closes the connection after it unless it is kept alive. */
  private static void write(ChannelHandlerContext ctx, boolean keepAlive, HttpResponse response) {
    byte[] bytes;
    String contentType;
    if (response.body() instanceof String text) {
      bytes = text.getBytes(StandardCharsets.UTF_8);
      contentType =
          response.contentType() != null ? response.contentType() : "text/plain; charset=UTF-8";
    } else {
      try {
        bytes = JSON.writeValueAsBytes(response.body());
      } catch (Exception e) {
        bytes =
            ("{\"brief\":\"Internal Server Error\",\"message\":\"cannot serialize response\",\"type\":\"InternalError\"}")
                .getBytes(StandardCharsets.UTF_8);
      }
      contentType = "application/json";
    }
    ByteBuf content = Unpooled.wrappedBuffer(bytes);
    FullHttpResponse answer =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()), content);
    answer.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    answer.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (keepAlive) {
      answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(answer);
    } else {
      answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Reads a JSON request body as {@code type}; a malformed body maps to 400. */
  public static <T> T readJson(HttpRequest request, Class<T> type) throws java.io.IOException {
    return JSON.readValue(request.body(), type);
  }
}
