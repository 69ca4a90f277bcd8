package io.ferry.proxy.scripted;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.AuthResponse;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Options;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.Register;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.AuthChallenge;
import com.datastax.oss.protocol.internal.response.AuthSuccess;
import com.datastax.oss.protocol.internal.response.Authenticate;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Ready;
import com.datastax.oss.protocol.internal.response.Supported;
import com.datastax.oss.protocol.internal.response.error.Unprepared;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.DefaultRows;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.RawType;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import com.datastax.oss.protocol.internal.response.result.Void;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.MessageCodec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A single-node CQL server of our own that speaks only the protocol versions it is told to and
 * answers what Ferry's control connection and handshake need, for cases a real Cassandra 5.0 node
 * cannot produce (a node that refuses v4, an unusual partitioner).
 *
 * <p>Every request's version and opcode is recorded, so tests can assert the exact exchange. Each
 * server gives a prepared statement an id of its own (from its cluster name), as two clusters do,
 * and can be told to forget its prepared statements ({@link #forgetPreparedStatements}).
 */
public final class ScriptedCqlServer implements AutoCloseable {

  private static final MessageCodec CODEC = new MessageCodec(ByteBufAllocator.DEFAULT);

  /** A query containing this text is never answered. */
  public static final String NEVER_ANSWERED = "never_answered";

  /** A query containing this text makes the server close the connection instead of answering. */
  public static final String DISCONNECT = "disconnect_now";

  /** One request as received. */
  public record Received(int version, int opcode, Message message) {}

  private final Set<Integer> versions;
  private final String partitioner;
  private final String clusterName;
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final Channel server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile boolean dse;
  private volatile String authenticator;
  private volatile String username;
  private volatile String password;
  private volatile String disconnectOn;
  // Keyed by ByteBuffer, whose equals compares content, as byte[]'s does not.
  private final Map<ByteBuffer, String> preparedQueries = new ConcurrentHashMap<>();
  private final Set<ByteBuffer> forgottenIds = ConcurrentHashMap.newKeySet();
  private final List<String> executedQueries = new CopyOnWriteArrayList<>();

  /** Describes itself as a DSE node ({@code dse_version} in {@code system.local}). */
  public ScriptedCqlServer dse() {
    this.dse = true;
    return this;
  }

  /**
   * Requires authentication with {@code authenticator}; DSE's {@code DseAuthenticator} first
   * expects the mechanism name {@code PLAIN} and answers the challenge {@code PLAIN-START}.
   */
  public ScriptedCqlServer authentication(String authenticator, String username, String password) {
    this.authenticator = authenticator;
    this.username = username;
    this.password = password;
    return this;
  }

  /**
   * Makes this server alone close the connection on a query containing {@code text}, where {@link
   * #DISCONNECT} makes every server do it.
   */
  public ScriptedCqlServer disconnectOn(String text) {
    this.disconnectOn = text;
    return this;
  }

  /**
   * Forgets every statement prepared so far, as a node does when it restarts or evicts them from
   * its prepared statement cache: an EXECUTE or BATCH naming one is answered UNPREPARED with its id
   * until a PREPARE of the same query makes the server know it again. Other EXECUTEs are answered
   * VOID, even for an id the server never prepared, so that tests need not prepare what they
   * execute.
   */
  public void forgetPreparedStatements() {
    forgottenIds.addAll(preparedQueries.keySet());
  }

  /**
   * The queries of the prepared statements this server executed, in order: one entry per EXECUTE
   * (and per statement of a BATCH) answered with a result, none for one answered UNPREPARED. An id
   * never prepared here is listed as {@code "unknown id <hex>"}.
   */
  public List<String> executedQueries() {
    return Collections.unmodifiableList(executedQueries);
  }

  /** The requests received of the given opcode, in order. */
  public List<Received> received(int opcode) {
    return received.stream().filter(request -> request.opcode() == opcode).toList();
  }

  /**
   * @param address a loopback address to listen on (port 9042)
   * @param versions protocol versions accepted
   */
  public ScriptedCqlServer(
      String address, Set<Integer> versions, String clusterName, String partitioner) {
    this.versions = versions;
    this.clusterName = clusterName;
    this.partitioner = partitioner;
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast(new FrameDecoder(1 << 20, false))
                        .addLast(new Responder());
                  }
                })
            .bind(address, 9042)
            .syncUninterruptibly()
            .channel();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  public List<Received> received() {
    return Collections.unmodifiableList(received);
  }

  /** Forgets the requests received so far: for long runs, where the record would grow forever. */
  public void forgetReceived() {
    received.clear();
  }

  /** Versions of the STARTUP requests received, in order. */
  public List<Integer> startupVersions() {
    return received.stream()
        .filter(request -> request.opcode() == ProtocolConstants.Opcode.STARTUP)
        .map(Received::version)
        .toList();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Responder extends ChannelInboundHandlerAdapter {
    private boolean mechanismChosen;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (!(message instanceof ByteBuf frame)) {
        ReferenceCountUtil.release(message);
        ctx.close();
        return;
      }
      try {
        int version = Frames.version(frame);
        int streamId = Frames.streamId(frame);
        if (!versions.contains(version)) {
          received.add(new Received(version, Frames.opcode(frame), null));
          int highest = versions.stream().max(Integer::compare).orElseThrow();
          ctx.writeAndFlush(
                  CODEC.encodeResponse(
                      highest,
                      streamId,
                      MessageCodec.protocolError(
                          "Invalid or unsupported protocol version (" + version + ")")))
              .addListener(ChannelFutureListener.CLOSE);
          return;
        }
        Frame request;
        try {
          request = CODEC.decodeRequest(frame);
        } catch (RuntimeException e) {
          // As a real node does: the request fails, the connection goes on.
          received.add(new Received(version, Frames.opcode(frame), null));
          ctx.writeAndFlush(
              CODEC.encodeResponse(
                  version, streamId, MessageCodec.protocolError("Malformed request: " + e)));
          return;
        }
        received.add(new Received(version, Frames.opcode(frame), request.message));
        if (request.message instanceof Query query && query.query.contains(NEVER_ANSWERED)) {
          return;
        }
        if (request.message instanceof Query query
            && (query.query.contains(DISCONNECT)
                || (disconnectOn != null && query.query.contains(disconnectOn)))) {
          ctx.close();
          return;
        }
        ctx.writeAndFlush(CODEC.encodeResponse(version, streamId, answer(request.message, ctx)));
      } finally {
        frame.release();
      }
    }

    private Message answer(Message request, ChannelHandlerContext ctx) {
      if (request instanceof Startup && authenticator != null) {
        return new Authenticate(authenticator);
      }
      if (request instanceof Startup || request instanceof Register) {
        return new Ready();
      }
      if (request instanceof AuthResponse response) {
        byte[] token = new byte[response.token.remaining()];
        response.token.duplicate().get(token);
        boolean negotiates = authenticator.endsWith("DseAuthenticator");
        if (negotiates && !mechanismChosen) {
          if (new String(token, StandardCharsets.UTF_8).equals("PLAIN")) {
            mechanismChosen = true;
            return new AuthChallenge(utf8("PLAIN-START"));
          }
          return new Error(ProtocolConstants.ErrorCode.AUTH_ERROR, "Unsupported mechanism");
        }
        String expected = "\u0000" + username + "\u0000" + password;
        if (new String(token, StandardCharsets.UTF_8).equals(expected)) {
          return new AuthSuccess(null);
        }
        return new Error(ProtocolConstants.ErrorCode.AUTH_ERROR, "Failed to login. Please re-try.");
      }
      if (request instanceof Prepare prepare) {
        ByteBuffer id = ByteBuffer.wrap(preparedId(prepare.cqlQuery));
        preparedQueries.put(id, prepare.cqlQuery);
        forgottenIds.remove(id);
        // ids differ from one server to the other, as they would between clusters whose schemas
        // differ, so that tests see which ids each cluster receives
        return new Prepared(
            preparedId(prepare.cqlQuery),
            resultMetadataId(prepare.cqlQuery),
            new RowsMetadata(List.of(), null, new int[0], null),
            new RowsMetadata(0, null, null, null));
      }
      if (request instanceof Execute execute) {
        return execute(List.of(execute.queryId));
      }
      if (request instanceof Batch batch) {
        return execute(
            batch.queriesOrIds.stream()
                .filter(byte[].class::isInstance)
                .map(byte[].class::cast)
                .toList());
      }
      if (request instanceof Options) {
        return new Supported(
            Map.of("CQL_VERSION", List.of("3.4.7"), "COMPRESSION", List.of("lz4", "snappy")));
      }
      if (request instanceof Query query) {
        if (query.query.contains("system.local")) {
          return local(((InetSocketAddress) ctx.channel().localAddress()).getAddress());
        }
        if (query.query.contains("system.peers")) {
          return rows("peers", List.of(text("peer")), List.of());
        }
      }
      return Void.INSTANCE;
    }
  }

  /** UNPREPARED for the first forgotten id, as a real node answers; else VOID. */
  private Message execute(List<byte[]> ids) {
    for (byte[] id : ids) {
      if (forgottenIds.contains(ByteBuffer.wrap(id))) {
        return new Unprepared(
            "Prepared query with ID "
                + hex(id)
                + " not found (either the query was not prepared"
                + " on this host (maybe the host has been restarted?) or you have prepared too"
                + " many queries and it has been evicted from the internal cache)",
            id);
      }
    }
    for (byte[] id : ids) {
      executedQueries.add(
          preparedQueries.getOrDefault(ByteBuffer.wrap(id), "unknown id " + hex(id)));
    }
    return Void.INSTANCE;
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** The id this server gives a prepared query. */
  public byte[] preparedId(String query) {
    return md5(clusterName + "|" + query);
  }

  /** The result metadata id this server gives a prepared query (v5, DSE_V2). */
  public byte[] resultMetadataId(String query) {
    return md5("metadata|" + clusterName + "|" + query);
  }

  private static byte[] md5(String text) {
    try {
      return java.security.MessageDigest.getInstance("MD5")
          .digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Message local(InetAddress address) {
    List<ColumnSpec> columns =
        List.of(
            text("key"),
            text("cluster_name"),
            text("data_center"),
            text("rack"),
            spec("host_id", ProtocolConstants.DataType.UUID),
            text("partitioner"),
            text("release_version"),
            spec("schema_version", ProtocolConstants.DataType.UUID),
            spec("rpc_address", ProtocolConstants.DataType.INET));
    UUID hostId = UUID.nameUUIDFromBytes(address.getAddress());
    List<ByteBuffer> row =
        new ArrayList<>(
            List.of(
                utf8("local"),
                utf8(clusterName),
                utf8("dc1"),
                utf8("r1"),
                uuid(hostId),
                utf8(partitioner),
                utf8("3.11.19"),
                uuid(new UUID(1, 1)),
                ByteBuffer.wrap(address.getAddress())));
    if (dse) {
      columns = new ArrayList<>(columns);
      columns.add(text("dse_version"));
      row.add(utf8("6.8.50"));
    }
    return rows("local", columns, List.of(row));
  }

  private static Message rows(String table, List<ColumnSpec> columns, List<List<ByteBuffer>> data) {
    List<ColumnSpec> specs = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      specs.add(new ColumnSpec("system", table, columns.get(i).name, i, columns.get(i).type));
    }
    Queue<List<ByteBuffer>> queue = new ArrayDeque<>(data);
    return new DefaultRows(new RowsMetadata(specs, null, null, null), queue);
  }

  private static ColumnSpec text(String name) {
    return spec(name, ProtocolConstants.DataType.VARCHAR);
  }

  private static ColumnSpec spec(String name, int type) {
    return new ColumnSpec("system", "local", name, 0, RawType.PRIMITIVES.get(type));
  }

  private static ByteBuffer utf8(String value) {
    return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
  }

  private static ByteBuffer uuid(UUID value) {
    return ByteBuffer.allocate(16)
        .putLong(0, value.getMostSignificantBits())
        .putLong(8, value.getLeastSignificantBits());
  }
}
