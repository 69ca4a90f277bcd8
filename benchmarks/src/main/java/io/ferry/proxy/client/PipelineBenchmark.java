package io.ferry.proxy.client;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.DefaultRows;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.RawType;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import com.datastax.oss.protocol.internal.response.result.Void;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.backend.BackendChannels;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.HandlerNames;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.session.ProxyContext;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request through Ferry's real client and cluster pipelines (frame decoders, {@link
 * ClientConnection}, {@link BackendConnection}s, the prepared-statement cache, metrics) on embedded
 * channels: the client's EXECUTE goes in, the forwarded frame comes out towards the cluster(s), the
 * clusters' answers go in, the client's answer comes out. No sockets, so the score is Ferry's own
 * CPU and, with {@code -prof gc}, its own allocation; {@link #harness} measures what the embedded
 * channels themselves cost, to subtract.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PipelineBenchmark {

  private static final String SELECT = "SELECT v FROM ks.kv WHERE k = ?";
  private static final String INSERT = "INSERT INTO ks.kv (k, v) VALUES (?, ?)";
  private static final int VERSION = ProtocolVersion.V4.code();

  private Proxy proxy;
  private MessageCodec codec;
  private EmbeddedChannel client;
  private EmbeddedChannel origin;
  private EmbeddedChannel target;
  private ByteBuf executeRead;
  private ByteBuf executeWrite;
  private ByteBuf rows;
  private ByteBuf voidResult;
  private EmbeddedChannel echoClient;
  private EmbeddedChannel echoCluster;

  /** An embedded channel with a socket address, as Ferry's handlers expect. */
  private static final class InetEmbeddedChannel extends EmbeddedChannel {
    private final InetSocketAddress remote;

    InetEmbeddedChannel(InetSocketAddress remote) {
      this.remote = remote;
    }

    @Override
    protected SocketAddress remoteAddress0() {
      return remote;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    ProxySettings settings =
        ProxySettings.from(
            ConfigLoader.load(
                null,
                Map.of(
                    "ZDM_ORIGIN_CONTACT_POINTS", "127.0.0.1",
                    "ZDM_TARGET_CONTACT_POINTS", "127.0.0.1",
                    "ZDM_PROXY_LISTEN_PORT", "0"),
                List.of(ProxyOption.values())));
    proxy = new Proxy(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    ProxyContext context = proxy.context();
    codec = new MessageCodec(PooledByteBufAllocator.DEFAULT);

    client = new InetEmbeddedChannel(new InetSocketAddress("127.0.0.1", 50000));
    ClientConnection connection = new ClientConnection(context);
    client
        .pipeline()
        .addLast(HandlerNames.FRAME_DECODER, new FrameDecoder(settings.maxFrameLength(), false))
        .addLast(HandlerNames.CLIENT, connection);
    client.pipeline().fireChannelActive();
    origin = new InetEmbeddedChannel(new InetSocketAddress("127.0.0.2", 9042));
    target = new InetEmbeddedChannel(new InetSocketAddress("127.0.0.3", 9042));
    BackendConnection originConnection = embeddedBackend(ClusterRole.ORIGIN, origin, context);
    BackendConnection targetConnection = embeddedBackend(ClusterRole.TARGET, target, context);
    connection.routeOver(originConnection, targetConnection, ProtocolVersion.V4);

    byte[] selectId = prepare(SELECT, List.of("k"), List.of("v"));
    byte[] insertId = prepare(INSERT, List.of("k", "v"), List.of());
    executeRead = template(codec.encodeRequest(VERSION, 1, execute(selectId, 1)));
    executeWrite = template(codec.encodeRequest(VERSION, 2, execute(insertId, 2)));
    Queue<List<ByteBuffer>> data = new ArrayDeque<>();
    data.add(List.of(ByteBuffer.wrap(new byte[16])));
    rows =
        template(
            codec.encodeResponse(
                VERSION, 0, new DefaultRows(new RowsMetadata(1, null, null, null), data)));
    voidResult = template(codec.encodeResponse(VERSION, 0, Void.INSTANCE));

    echoClient = new EmbeddedChannel(new Echo());
    echoCluster = new EmbeddedChannel(new Echo());
  }

  /**
   * A backend connection whose handshake is done, in the pipeline of an embedded channel: the
   * pipeline {@link BackendChannels} builds on a socket, without the socket.
   */
  private static BackendConnection embeddedBackend(
      ClusterRole role, EmbeddedChannel channel, ProxyContext context) {
    return BackendChannels.install(
        channel.pipeline(),
        new BackendConnection.Options(
            role,
            "[" + role + "]",
            2048,
            1024,
            VERSION,
            Duration.ofSeconds(10),
            Duration.ofHours(1),
            context.metrics().node(role, channel.remoteAddress().toString()),
            Optional.empty()));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    executeRead.release();
    executeWrite.release();
    rows.release();
    voidResult.release();
    client.finishAndReleaseAll();
    origin.finishAndReleaseAll();
    target.finishAndReleaseAll();
    echoClient.finishAndReleaseAll();
    echoCluster.finishAndReleaseAll();
    proxy.shutdown();
  }

  /** A prepared read: EXECUTE to origin (the primary), its ROWS back to the client. */
  @Benchmark
  public void preparedRead() {
    client.writeInbound(executeRead.retainedDuplicate());
    answer(origin, rows);
    releaseAll(client);
  }

  /** A prepared write: EXECUTE to both clusters, both VOIDs aggregated into one answer. */
  @Benchmark
  public void preparedWrite() {
    client.writeInbound(executeWrite.retainedDuplicate());
    answer(origin, voidResult);
    answer(target, voidResult);
    releaseAll(client);
  }

  /** The embedded channels' own cost for one read: the same writes and reads, no Ferry. */
  @Benchmark
  public void harness() {
    echoClient.writeInbound(executeRead.retainedDuplicate());
    releaseAll(echoClient);
    echoCluster.writeInbound(rows.retainedDuplicate());
    releaseAll(echoCluster);
  }

  /** Reads the request a cluster channel received and feeds it the answer on its stream id. */
  private static void answer(EmbeddedChannel cluster, ByteBuf answer) {
    ByteBuf request = cluster.readOutbound();
    int streamId = Frames.streamId(request);
    request.release();
    releaseAll(cluster); // the rest of the request, when header and body went out apart
    answer.setShort(answer.readerIndex() + 2, streamId);
    cluster.writeInbound(answer.retainedDuplicate());
  }

  private static void releaseAll(EmbeddedChannel channel) {
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      out.release();
    }
  }

  private byte[] prepare(String query, List<String> variables, List<String> result) {
    client.writeInbound(codec.encodeRequest(VERSION, 0, new Prepare(query)));
    byte[] id = preparedId(query);
    Message prepared =
        new Prepared(id, null, metadata(variables, new int[] {0}), metadata(result, null));
    for (EmbeddedChannel cluster : List.of(origin, target)) {
      ByteBuf request = cluster.readOutbound();
      int streamId = Frames.streamId(request);
      request.release();
      releaseAll(cluster);
      cluster.writeInbound(codec.encodeResponse(VERSION, streamId, prepared));
    }
    ByteBuf answer = client.readOutbound();
    if (answer == null || Frames.opcode(answer) != ProtocolConstants.Opcode.RESULT) {
      throw new IllegalStateException("PREPARE of " + query + " was not answered with a RESULT");
    }
    answer.release();
    releaseAll(client);
    return id;
  }

  private static RowsMetadata metadata(List<String> columns, int[] pkIndices) {
    List<ColumnSpec> specs =
        columns.stream()
            .map(
                name ->
                    new ColumnSpec(
                        "ks",
                        "kv",
                        name,
                        columns.indexOf(name),
                        RawType.PRIMITIVES.get(
                            name.equals("k")
                                ? ProtocolConstants.DataType.BIGINT
                                : ProtocolConstants.DataType.BLOB)))
            .toList();
    return specs.isEmpty()
        ? new RowsMetadata(0, null, null, null)
        : new RowsMetadata(specs, null, pkIndices, null);
  }

  private static Execute execute(byte[] id, int values) {
    List<ByteBuffer> bound =
        values == 1
            ? List.of(ByteBuffer.allocate(8).putLong(0, 42))
            : List.of(ByteBuffer.allocate(8).putLong(0, 42), ByteBuffer.wrap(new byte[16]));
    // as drivers send it: client-side timestamp, skip metadata, page size
    return new Execute(
        id,
        new QueryOptions(
            ProtocolConstants.ConsistencyLevel.LOCAL_ONE,
            bound,
            Map.of(),
            true,
            5000,
            null,
            ProtocolConstants.ConsistencyLevel.SERIAL,
            1_763_700_000_000_000L,
            null,
            QueryOptions.NO_NOW_IN_SECONDS));
  }

  /** A 16-byte id derived from the query text, as a node's would be. */
  private static byte[] preparedId(String query) {
    byte[] id = new byte[16];
    byte[] text = query.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i < text.length; i++) {
      id[i % 16] ^= text[i];
    }
    return id;
  }

  /**
   * Copies an encoded frame into a long-lived pooled direct buffer, as socket reads are, and
   * releases the original: its duplicates and the slices cut from them are recycled as in
   * production.
   */
  private static ByteBuf template(ByteBuf encoded) {
    ByteBuf template =
        PooledByteBufAllocator.DEFAULT.directBuffer(encoded.readableBytes()).writeBytes(encoded);
    encoded.release();
    return template;
  }

  /** Writes what it reads, as the harness's stand-in for Ferry. */
  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      ctx.writeAndFlush(message, ctx.voidPromise());
    }
  }
}
