package io.ferry.benchmarks.load;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Ready;
import com.datastax.oss.protocol.internal.response.Supported;
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
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A CQL server that answers the benchmark's requests at once, without storing anything: the backend
 * of runs that measure the cost of the hop in front of it (Ferry, the relay) rather than the cost
 * of Cassandra. It speaks protocol v4 (drivers and Ferry negotiate down to it), answers the
 * system-table queries of drivers' and Ferry's control connections, and gives every benchmark
 * statement its real metadata, so drivers bind and decode as they would with Cassandra.
 *
 * <p>Every answer is a pre-encoded frame copied with the request's stream id patched in. Thread
 * policy: the answer templates are built before the server binds and only read afterwards.
 */
final class CqlResponder implements AutoCloseable {

  private static final int VERSION = 4;
  private static final MessageCodec CODEC = new MessageCodec(ByteBufAllocator.DEFAULT);

  private final EventLoopGroup group;
  private final Channel server;
  private final ByteBuf ready;
  private final ByteBuf supported;
  private final ByteBuf voidResult;
  private final ByteBuf local;
  private final ByteBuf peers;
  private final ByteBuf peersV2;
  private final Map<String, ByteBuf> prepared = new HashMap<>();
  private final Map<Long, ByteBuf> executed = new HashMap<>();

  /**
   * @param threads event loop threads
   */
  CqlResponder(InetSocketAddress address, int threads) {
    InetAddress host = address.getAddress();
    ready = template(new Ready());
    supported = template(new Supported(Map.of("CQL_VERSION", List.of("3.4.5"))));
    voidResult = template(Void.INSTANCE);
    local = template(local(host));
    peers = template(rows("peers", List.of(text("peer"), inet("rpc_address")), List.of()));
    peersV2 =
        template(new Error(ProtocolConstants.ErrorCode.INVALID, "unconfigured table peers_v2"));
    for (RowSize size : RowSize.values()) {
      prepare(
          Schema.select(size), List.of(bigint("k")), List.of(blob("v")), rowOf(size.valueBytes()));
      prepare(Schema.insert(size), List.of(bigint("k"), blob("v")), List.of(), null);
    }
    prepare(Schema.INSERT_EVENT, List.of(bigint("k"), integer("c"), blob("v")), List.of(), null);

    group = new NioEventLoopGroup(threads, new DefaultThreadFactory("responder"));
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast(new FrameDecoder(16 * 1024 * 1024, false))
                        .addLast(new Answers());
                  }
                })
            .bind(address)
            .syncUninterruptibly()
            .channel();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void prepare(
      String query, List<ColumnSpec> variables, List<ColumnSpec> result, Message executeAnswer) {
    byte[] id = md5(query);
    RowsMetadata variablesMetadata =
        new RowsMetadata(numbered(variables), null, new int[] {0}, null);
    RowsMetadata resultMetadata =
        result.isEmpty()
            ? new RowsMetadata(0, null, null, null)
            : new RowsMetadata(numbered(result), null, null, null);
    prepared.put(query, template(new Prepared(id, null, variablesMetadata, resultMetadata)));
    executed.put(
        idKey(Unpooled.wrappedBuffer(id), 0),
        template(executeAnswer == null ? Void.INSTANCE : executeAnswer));
  }

  /** The rows of a prepared read: one row, one blob, no metadata (the driver skips it). */
  private static Message rowOf(int valueSize) {
    byte[] value = new byte[valueSize];
    Arrays.fill(value, (byte) 7);
    Queue<List<ByteBuffer>> data = new ArrayDeque<>();
    data.add(List.of(ByteBuffer.wrap(value)));
    return new DefaultRows(new RowsMetadata(1, null, null, null), data);
  }

  private static ByteBuf template(Message message) {
    ByteBuf encoded = CODEC.encodeResponse(VERSION, 0, message);
    ByteBuf template = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(encoded));
    encoded.release();
    return template;
  }

  private static long idKey(ByteBuf buffer, int index) {
    return buffer.getLong(index);
  }

  @ChannelHandler.Sharable
  private final class Answers extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      if (!(message instanceof ByteBuf frame)) {
        ReferenceCountUtil.release(message);
        ctx.close();
        return;
      }
      try {
        int streamId = Frames.streamId(frame);
        if (Frames.version(frame) != VERSION) {
          ctx.writeAndFlush(
                  CODEC.encodeResponse(
                      VERSION,
                      streamId,
                      MessageCodec.protocolError(
                          "Invalid or unsupported protocol version ("
                              + Frames.version(frame)
                              + "); supported versions are (4/v4)")))
              .addListener(ChannelFutureListener.CLOSE);
          return;
        }
        ByteBuf answer = answer(frame);
        if (answer == null) {
          ctx.writeAndFlush(
              CODEC.encodeResponse(
                  VERSION,
                  streamId,
                  MessageCodec.invalid("the benchmark responder does not know this request")));
          return;
        }
        ByteBuf out = ctx.alloc().ioBuffer(answer.readableBytes());
        out.writeBytes(answer, answer.readerIndex(), answer.readableBytes());
        out.setShort(2, streamId);
        ctx.writeAndFlush(out, ctx.voidPromise());
      } finally {
        frame.release();
      }
    }

    private ByteBuf answer(ByteBuf frame) {
      int index = Frames.requestMessageIndex(frame);
      switch (Frames.opcode(frame)) {
        case ProtocolConstants.Opcode.STARTUP:
        case ProtocolConstants.Opcode.REGISTER:
          return ready;
        case ProtocolConstants.Opcode.OPTIONS:
          return supported;
        case ProtocolConstants.Opcode.EXECUTE:
          // [short bytes] id: the key is its first 8 bytes
          return executed.get(idKey(frame, index + 2));
        case ProtocolConstants.Opcode.BATCH:
          return voidResult;
        case ProtocolConstants.Opcode.PREPARE:
          return prepared.get(longString(frame, index));
        case ProtocolConstants.Opcode.QUERY:
          String query = longString(frame, index);
          if (query.contains("system.local")) {
            return local;
          }
          if (query.contains("system.peers_v2")) {
            return peersV2;
          }
          if (query.contains("system.peers")) {
            return peers;
          }
          return voidResult;
        default:
          return null;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static String longString(ByteBuf frame, int index) {
    int length = frame.getInt(index);
    return frame.toString(index + 4, length, StandardCharsets.UTF_8);
  }

  private static Message local(InetAddress address) {
    List<ColumnSpec> columns =
        List.of(
            text("key"),
            text("cluster_name"),
            text("data_center"),
            text("rack"),
            uuid("host_id"),
            text("partitioner"),
            text("release_version"),
            text("cql_version"),
            uuid("schema_version"),
            inet("rpc_address"),
            inet("broadcast_address"),
            inet("listen_address"),
            integer("rpc_port"),
            integer("native_port"));
    ByteBuffer inet = ByteBuffer.wrap(address.getAddress());
    List<ByteBuffer> row =
        List.of(
            utf8("local"),
            utf8("responder"),
            utf8("datacenter1"),
            utf8("rack1"),
            uuid(UUID.nameUUIDFromBytes(address.getAddress())),
            utf8("org.apache.cassandra.dht.Murmur3Partitioner"),
            utf8("4.0.11"),
            utf8("3.4.5"),
            uuid(new UUID(1, 1)),
            inet.duplicate(),
            inet.duplicate(),
            inet.duplicate(),
            ByteBuffer.allocate(4).putInt(0, 9042),
            ByteBuffer.allocate(4).putInt(0, 9042));
    return rows("local", columns, List.of(row));
  }

  private static Message rows(String table, List<ColumnSpec> columns, List<List<ByteBuffer>> data) {
    List<ColumnSpec> specs = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      specs.add(new ColumnSpec("system", table, columns.get(i).name, i, columns.get(i).type));
    }
    return new DefaultRows(new RowsMetadata(specs, null, null, null), new ArrayDeque<>(data));
  }

  private static List<ColumnSpec> numbered(List<ColumnSpec> columns) {
    List<ColumnSpec> specs = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      ColumnSpec column = columns.get(i);
      specs.add(new ColumnSpec(Schema.KEYSPACE, "kv", column.name, i, column.type));
    }
    return specs;
  }

  private static ColumnSpec text(String name) {
    return spec(name, ProtocolConstants.DataType.VARCHAR);
  }

  private static ColumnSpec uuid(String name) {
    return spec(name, ProtocolConstants.DataType.UUID);
  }

  private static ColumnSpec inet(String name) {
    return spec(name, ProtocolConstants.DataType.INET);
  }

  private static ColumnSpec bigint(String name) {
    return spec(name, ProtocolConstants.DataType.BIGINT);
  }

  private static ColumnSpec integer(String name) {
    return spec(name, ProtocolConstants.DataType.INT);
  }

  private static ColumnSpec blob(String name) {
    return spec(name, ProtocolConstants.DataType.BLOB);
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

  private static byte[] md5(String text) {
    try {
      return MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
