package io.ferry.proxy.client;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.Authenticate;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import com.datastax.oss.protocol.internal.response.result.Void;
import io.ferry.proxy.auth.ClientTokens;
import io.ferry.proxy.auth.ClusterAuthentication;
import io.ferry.proxy.auth.CredentialRouting;
import io.ferry.proxy.auth.PlainTextAuthenticator;
import io.ferry.proxy.auth.SaslAuthenticator;
import io.ferry.proxy.cluster.ClusterConnection;
import io.ferry.proxy.cluster.ClusterRole;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.cluster.Endpoints;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.compression.FrameCompressor;
import io.ferry.proxy.compression.FrameDecompressor;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.dualreads.MirrorConnection;
import io.ferry.proxy.dualreads.MirroredRead;
import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.frame.FrameWriter;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.frame.QueryParameters;
import io.ferry.proxy.handshake.ProtocolNegotiation;
import io.ferry.proxy.handshake.SupportedOptions;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.metrics.NodeError;
import io.ferry.proxy.metrics.NodeMetrics;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.ferry.proxy.metrics.RequestType;
import io.ferry.proxy.partialwrites.PartialWrites;
import io.ferry.proxy.routing.CqlStatement;
import io.ferry.proxy.routing.Destination;
import io.ferry.proxy.routing.NowCalls;
import io.ferry.proxy.routing.OrderClause;
import io.ferry.proxy.routing.PreparedIds;
import io.ferry.proxy.routing.PreparedStatement;
import io.ferry.proxy.routing.ReadMode;
import io.ferry.proxy.routing.ResponseAggregation;
import io.ferry.proxy.routing.StatementClassifier;
import io.ferry.proxy.segment.ModernFraming;
import io.ferry.proxy.segment.SegmentCompression;
import io.ferry.proxy.segment.SegmentDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: completes the handshake with both clusters, then routes each request to
 * origin, target, both, or answers it itself, and returns one answer per request.
 *
 * <p>The forwarding path does not copy frames: a request goes out as the retained slice it arrived
 * in with its stream id patched in place, and a request for both clusters shares its body between
 * them, each with its own header. Only the query string of a QUERY or PREPARE is lexed, and an
 * EXECUTE's routing comes from the prepared-statement cache.
 *
 * <p>Thread policy: every method runs on the client channel's event loop, which also serves its two
 * cluster connections, so nothing here is synchronized.
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter
    implements ClusterConnection.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

  static final String SHUTTING_DOWN = "Shutting down, please retry on next host.";

  /** Ended requests kept for reuse per connection: enough for a busy connection's turnover. */
  private static final int MAX_SPARE_REQUESTS = 64;

  private enum State {
    /** Waiting for STARTUP (OPTIONS may come first). */
    NEW,
    /** STARTUP received; connecting to the clusters and completing their handshakes. */
    HANDSHAKE,
    /** The client authenticates with the cluster its credentials are for (AUTH_RESPONSE). */
    AUTHENTICATING,
    /** Requests are routed. */
    READY,
    CLOSED
  }

  private final ProxyContext context;
  private final long timeoutNanos;
  private final IntObjectHashMap<InFlightRequest> requests = new IntObjectHashMap<>();
  private InFlightRequest oldest;
  private InFlightRequest newest;
  // Requests that ended normally, kept for reuse (linked through their next field).
  private InFlightRequest spareRequests;
  private int spareCount;

  private Channel channel;
  private String label;
  private State state = State.NEW;
  private int version = -1;
  private ProtocolVersion protocolVersion = ProtocolVersion.V4;
  private ClusterConnection origin;
  private ClusterConnection target;
  private String keyspace;
  private FrameWriter clientWriter;
  private ScheduledFuture<?> timeoutCheck;
  private ScheduledFuture<?> handshakeDeadline;
  private IncompleteFrameWatch incompleteFrames;
  // The client's STARTUP, held while the cluster connections open; owned here until forwarded.
  private ByteBuf pendingStartup;
  private Map<String, String> startupOptions = Map.of();
  // The compression the client asked for in STARTUP, or null.
  private Compression compression;
  // The connection for mirrored reads, opened on the first read to mirror.
  private MirrorConnection mirror;
  // Authentication: the cluster the client's credentials are for (null when no cluster asked), the
  // exchange Ferry runs with its own credentials on the other cluster, the client's AUTH_SUCCESS
  // held until that exchange succeeds, and why Ferry's exchange failed.
  private ClusterRole credentialsCluster;
  private ClusterAuthentication ferryAuthentication;
  private ByteBuf heldAuthSuccess;
  private String authenticationFailure;
  private final ClientTokens clientTokens = new ClientTokens();

  public ClientConnection(ProxyContext context) {
    this.context = context;
    this.timeoutNanos = context.settings().requestTimeout().toNanos();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    clientWriter = new FrameWriter(channel);
    InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
    label = Endpoints.format(remote);
    long tick = Math.max(10, Math.min(1000, context.settings().requestTimeout().toMillis() / 10));
    timeoutCheck =
        ctx.executor().scheduleAtFixedRate(this::onTick, tick, tick, TimeUnit.MILLISECONDS);
    incompleteFrames =
        new IncompleteFrameWatch(channel, context.settings().incompleteFrameTimeout());
    handshakeDeadline = scheduleHandshakeDeadline();
    LOG.debug("[client {}] connected", label);
    ctx.fireChannelActive();
  }

  // ---------------------------------------------------------------------------------------------
  // Client → Ferry

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof ByteBuf frame) {
      int streamId = Frames.streamId(frame);
      int frameVersion = Frames.version(frame);
      try {
        onFrame(frame);
      } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
        // A body that does not hold what its header and lengths say: only this request fails.
        // Every path that throws does so before the frame changed hands.
        ReferenceCountUtil.safeRelease(frame);
        LOG.debug(
            "[client {}] malformed request on stream id {}: {}", label, streamId, e.toString());
        replyLocally(
            Math.max(0, streamId),
            MessageCodec.protocolError("Malformed request: " + e.getMessage()),
            frameVersion);
      }
    } else if (message instanceof SegmentDecoder.CorruptSegment corrupt) {
      protocolViolation("corrupt segment: " + corrupt.reason());
    } else if (message instanceof FrameDecompressor.CorruptFrame corrupt) {
      LOG.debug("[client {}] {}", label, corrupt);
      replyLocally(
          Math.max(0, corrupt.streamId()),
          MessageCodec.protocolError("Corrupt compressed request: " + corrupt.reason()),
          corrupt.version());
    } else if (message instanceof FrameDecoder.OversizedFrame oversized) {
      onOversized(oversized);
    } else if (message instanceof FrameDecoder.UnreadableStream unreadable) {
      onUnreadable(unreadable);
    } else {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (origin != null) {
      origin.flush();
    }
    if (mirror != null) {
      mirror.flush();
    }
    if (target != null) {
      target.flush();
    }
    flushClient();
  }

  private void onFrame(ByteBuf frame) {
    int frameVersion = Frames.version(frame);
    int streamId = Frames.streamId(frame);
    if (state == State.CLOSED) {
      frame.release();
      return;
    }
    if (version < 0) {
      ProtocolNegotiation negotiation = negotiation();
      if (!negotiation.accepts(frameVersion)) {
        frame.release();
        refuseVersion(frameVersion, negotiation);
        return;
      }
    } else if (frameVersion != version) {
      frame.release();
      protocolViolation(
          "frame of protocol version " + frameVersion + " on a v" + version + " connection");
      return;
    }
    if (streamId < 0) {
      frame.release();
      replyLocally(0, MessageCodec.protocolError("negative stream id: " + streamId), frameVersion);
      return;
    }
    switch (state) {
      case NEW -> onHandshakeFrame(frame, frameVersion, streamId);
      case HANDSHAKE -> {
        int opcode = Frames.opcode(frame);
        frame.release();
        replyLocally(
            streamId,
            MessageCodec.protocolError(
                "Unexpected message " + opcodeName(opcode) + " during the handshake"),
            frameVersion);
      }
      case AUTHENTICATING -> onAuthResponse(frame, streamId);
      case READY -> onRequest(frame, streamId);
      default -> frame.release();
    }
  }

  private void onHandshakeFrame(ByteBuf frame, int frameVersion, int streamId) {
    int opcode = Frames.opcode(frame);
    if (opcode == Opcode.OPTIONS) {
      frame.release();
      replyLocally(streamId, supported(), frameVersion);
    } else if (opcode == Opcode.STARTUP) {
      Startup startup = (Startup) context.codec().decodeRequest(frame).message;
      String refusal =
          SupportedOptions.refuseStartup(
              startup.options,
              frameVersion,
              context.topology(ClusterRole.ORIGIN),
              context.topology(ClusterRole.TARGET));
      if (refusal != null) {
        frame.release();
        replyLocally(streamId, MessageCodec.protocolError(refusal), frameVersion);
        return;
      }
      version = frameVersion;
      protocolVersion = ProtocolVersion.fromCode(frameVersion);
      startupOptions = startup.options;
      compression = Compression.fromOption(startup.options.get("COMPRESSION"));
      if (compression != null && !isModernFraming()) {
        // The client may compress any frame after STARTUP.
        channel
            .pipeline()
            .addAfter(
                ClientPipeline.FRAME_DECODER,
                ClientPipeline.DECOMPRESSOR,
                new FrameDecompressor(compression, context.settings().maxFrameLength()));
      }
      state = State.HANDSHAKE;
      connectToClusters(frame, streamId);
    } else {
      frame.release();
      replyLocally(
          streamId,
          MessageCodec.protocolError(
              "Unexpected message " + opcodeName(opcode) + ", expecting STARTUP or OPTIONS"),
          frameVersion);
    }
  }

  private void connectToClusters(ByteBuf startup, int streamId) {
    pendingStartup = startup;
    CompletableFuture<ClusterConnection> originConnect =
        context.origin().connect(channel.eventLoop(), version, label);
    CompletableFuture<ClusterConnection> targetConnect =
        context.target().connect(channel.eventLoop(), version, label);
    CompletableFuture.allOf(originConnect, targetConnect)
        .whenComplete(
            (ignored, failure) -> {
              Runnable next = () -> onClustersConnected(originConnect, targetConnect, streamId);
              if (channel.eventLoop().inEventLoop()) {
                next.run();
                return;
              }
              try {
                channel.eventLoop().execute(next);
              } catch (RejectedExecutionException e) {
                // Ferry is stopping; channelInactive released the STARTUP.
                originConnect.thenAccept(connection -> connection.close("Ferry is stopping"));
                targetConnect.thenAccept(connection -> connection.close("Ferry is stopping"));
              }
            });
  }

  private void onClustersConnected(
      CompletableFuture<ClusterConnection> originConnect,
      CompletableFuture<ClusterConnection> targetConnect,
      int streamId) {
    ClusterConnection originConnection = originConnect.getNow(null);
    ClusterConnection targetConnection = targetConnect.getNow(null);
    if (originConnection != null) {
      originConnection.setListener(this);
    }
    if (targetConnection != null) {
      targetConnection.setListener(this);
    }
    origin = originConnection;
    target = targetConnection;
    ByteBuf startup = pendingStartup;
    pendingStartup = null;
    if (state == State.CLOSED || startup == null) {
      ReferenceCountUtil.safeRelease(startup);
      closeClusterConnections("client disconnected during the handshake");
      return;
    }
    if (originConnection == null
        || targetConnection == null
        || !originConnection.isOpen()
        || !targetConnection.isOpen()) {
      startup.release();
      List<String> problems = new ArrayList<>();
      originConnect.whenComplete((c, e) -> addProblem(problems, c, e));
      targetConnect.whenComplete((c, e) -> addProblem(problems, c, e));
      String message = String.join("; ", problems);
      LOG.warn("[client {}] refused: {}", label, message);
      replyLocally(streamId, MessageCodec.serverError(message), version);
      closeClient();
      return;
    }
    InFlightRequest request =
        new InFlightRequest(streamId, Opcode.STARTUP, Destination.BOTH, System.nanoTime());
    forward(startup, request, null, null);
    // Everything after the STARTUP may be compressed.
    origin.startupSent(compression);
    target.startupSent(compression);
    origin.flush();
    target.flush();
  }

  private static void addProblem(
      List<String> problems, ClusterConnection connection, Throwable failure) {
    if (failure != null) {
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      problems.add(cause.getMessage());
    } else if (!connection.isOpen()) {
      problems.add(connection + " closed right after it opened");
    }
  }

  private void onRequest(ByteBuf frame, int streamId) {
    if (context.drainState().isDraining()) {
      frame.release();
      replyLocally(streamId, MessageCodec.overloaded(SHUTTING_DOWN), version);
      return;
    }
    if (requests.containsKey(streamId)) {
      frame.release();
      replyLocally(
          streamId,
          MessageCodec.protocolError(
              "stream id " + streamId + " is already used by a request in flight"),
          version);
      return;
    }
    int opcode = Frames.opcode(frame);
    long now = System.nanoTime();
    switch (opcode) {
      case Opcode.QUERY -> onQuery(frame, streamId, now);
      case Opcode.PREPARE -> onPrepare(frame, streamId, now);
      case Opcode.EXECUTE -> onExecute(frame, streamId, now);
      case Opcode.BATCH -> onBatch(frame, streamId, now);
      case Opcode.OPTIONS -> {
        frame.release();
        replyLocally(streamId, supported(), version);
      }
      case Opcode.STARTUP, Opcode.AUTH_RESPONSE -> {
        frame.release();
        replyLocally(
            streamId,
            MessageCodec.protocolError(
                "Unexpected message " + opcodeName(opcode) + ", the connection is already started"),
            version);
      }
      default ->
          forward(frame, new InFlightRequest(streamId, opcode, Destination.BOTH, now), null, null);
    }
  }

  private void onQuery(ByteBuf frame, int streamId, long now) {
    int index = Frames.requestMessageIndex(frame);
    int length = queryLength(frame, index);
    CqlStatement statement = StatementClassifier.classify(frame, index + 4, length);
    String keyspace = keyspaceOf(frame);
    Destination destination = context.router().route(statement, keyspace);
    if (destination == Destination.FERRY) {
      String query = frame.toString(index + 4, length, StandardCharsets.UTF_8);
      frame.release();
      ClusterTopology data = context.topology(context.settings().systemQueriesCluster());
      replyLocally(
          streamId, context.systemTables().answer(statement.table(), query, data), version);
    } else if (destination == Destination.ACKNOWLEDGE) {
      frame.release();
      replyLocally(streamId, Void.INSTANCE, version);
    } else {
      if (destination == Destination.BOTH && isWrite(statement)) {
        if (context.settings().replaceCqlFunctions()) {
          NowCalls calls = NowCalls.find(frame, index + 4, length);
          if (!calls.isEmpty()) {
            frame = context.nowReplacement().replaceInQuery(frame, calls);
          }
        }
        frame = assignTimestamp(frame);
      }
      InFlightRequest request =
          newRequest(streamId, Opcode.QUERY, destination, now, statement, keyspace);
      if (mirrorsReads() && context.router().isPrimaryRead(statement, keyspace)) {
        mirrorRead(
            frame,
            request,
            statement.keyspace() != null ? statement.keyspace() : keyspace,
            statement.table(),
            OrderClause.present(frame, index + 4, length),
            null,
            statement.keyspace() == null ? keyspace : null,
            null,
            null);
      }
      forward(frame, request, null, null);
    }
  }

  private void onPrepare(ByteBuf frame, int streamId, long now) {
    int index = Frames.requestMessageIndex(frame);
    int length = queryLength(frame, index);
    CqlStatement statement = StatementClassifier.classify(frame, index + 4, length);
    String keyspace = keyspaceOf(frame);
    int[] nowMarkers = NO_MARKERS;
    if (context.settings().replaceCqlFunctions() && isWrite(statement)) {
      NowCalls calls = NowCalls.find(frame, index + 4, length);
      if (!calls.isEmpty()) {
        frame = context.nowReplacement().replaceInPrepare(frame, calls);
        nowMarkers = calls.markerIndexes();
      }
    }
    boolean ordered =
        statement.kind() == CqlStatement.Kind.SELECT
            && OrderClause.present(frame, index + 4, length);
    InFlightRequest request = new InFlightRequest(streamId, Opcode.PREPARE, Destination.BOTH, now);
    request.detail = new PendingPreparation(statement, keyspace, nowMarkers, ordered);
    forward(frame, request, null, null);
  }

  /**
   * The keyspace unqualified names of a QUERY or PREPARE resolve in: the one it names itself (v5,
   * DSE_V2), else the connection's.
   */
  private String keyspaceOf(ByteBuf frame) {
    if (!protocolVersion.hasKeyspaceInRequest()) {
      return keyspace;
    }
    String own = QueryParameters.requestKeyspace(frame, protocolVersion);
    return own != null ? own : keyspace;
  }

  private static final int[] NO_MARKERS = new int[0];

  /** What a PREPARE will be remembered as once both clusters answered PREPARED. */
  private record PendingPreparation(
      CqlStatement statement, String keyspace, int[] nowMarkers, boolean ordered) {}

  private void onExecute(ByteBuf frame, int streamId, long now) {
    int position = PreparedIds.executeIdPosition(frame);
    PreparedStatement prepared = context.preparedStatements().get(frame, position);
    if (prepared == null) {
      byte[] id = ProtocolPrimitives.getShortBytes(frame, position);
      frame.release();
      context.metrics().preparedCacheMiss();
      replyLocally(streamId, MessageCodec.unprepared(id), version);
      return;
    }
    Destination destination =
        context.router().routeExecution(prepared.statement(), prepared.keyspace());
    if (prepared.nowMarkers().length > 0) {
      frame = context.nowReplacement().addValues(frame, prepared.nowMarkers());
      position = PreparedIds.executeIdPosition(frame);
    }
    if (destination == Destination.BOTH && isWrite(prepared.statement())) {
      frame = assignTimestamp(frame);
      position = PreparedIds.executeIdPosition(frame);
    }
    InFlightRequest request =
        newRequest(
            streamId, Opcode.EXECUTE, destination, now, prepared.statement(), prepared.keyspace());
    if (mirrorsReads()
        && context.router().isPrimaryRead(prepared.statement(), prepared.keyspace())) {
      // The client's id is origin's; target may know the statement by another one.
      boolean toTarget = context.router().primary() == ClusterRole.ORIGIN;
      mirrorRead(
          frame,
          request,
          prepared.statement().keyspace() != null
              ? prepared.statement().keyspace()
              : prepared.keyspace(),
          prepared.statement().table(),
          prepared.ordered(),
          prepared.resultMetadata(),
          null,
          toTarget && !prepared.sameIdOnBothClusters()
              ? prepared.targetIdPositions(frame, position)
              : null,
          prepared.targetIds());
    }
    if (prepared.sameIdOnBothClusters()) {
      forward(frame, request, null, null);
    } else {
      forward(frame, request, prepared.targetIdPositions(frame, position), prepared.targetIds());
    }
  }

  private void onBatch(ByteBuf frame, int streamId, long now) {
    if (context.settings().replaceCqlFunctions()) {
      frame =
          context
              .nowReplacement()
              .replaceInBatch(
                  frame,
                  id -> {
                    PreparedStatement child = context.preparedStatements().get(id);
                    return child == null ? NO_MARKERS : child.nowMarkers();
                  });
    }
    frame = assignTimestamp(frame);
    int[] positions = PreparedIds.batchIdPositions(frame);
    List<byte[]> targetIds = null;
    PreparedStatement first = null;
    for (int i = 0; i < positions.length; i++) {
      PreparedStatement prepared = context.preparedStatements().get(frame, positions[i]);
      if (prepared == null) {
        byte[] id = ProtocolPrimitives.getShortBytes(frame, positions[i]);
        frame.release();
        context.metrics().preparedCacheMiss();
        replyLocally(streamId, MessageCodec.unprepared(id), version);
        return;
      }
      if (first == null) {
        first = prepared;
      }
      if (!prepared.sameIdOnBothClusters() && targetIds == null) {
        targetIds = new ArrayList<>();
        for (int j = 0; j < i; j++) {
          targetIds.add(ProtocolPrimitives.getShortBytes(frame, positions[j]));
        }
      }
      if (targetIds != null) {
        targetIds.add(prepared.targetId());
      }
    }
    InFlightRequest request =
        newRequest(
            streamId,
            Opcode.BATCH,
            Destination.BOTH,
            now,
            first == null ? null : first.statement(),
            first == null ? null : first.keyspace());
    forward(frame, request, targetIds == null ? null : positions, targetIds);
  }

  private static boolean isWrite(CqlStatement statement) {
    return switch (statement.kind()) {
      case INSERT, UPDATE, DELETE, BATCH -> true;
      default -> false;
    };
  }

  /** The frame with a client-side timestamp, if it had none and Ferry assigns them. */
  private ByteBuf assignTimestamp(ByteBuf frame) {
    if (!context.settings().assignWriteTimestamps()) {
      return frame;
    }
    return context.writeTimestamps().ensureTimestamp(channel.alloc(), frame);
  }

  private static int queryLength(ByteBuf frame, int index) {
    int length = frame.getInt(index);
    if (length < 0 || index + 4 + length > frame.writerIndex()) {
      throw new IndexOutOfBoundsException(
          "query string of " + length + " bytes past the frame's end");
    }
    return length;
  }

  /**
   * Sends a request to its cluster(s). {@code targetIdPositions}/{@code targetIds}, when not null,
   * replace prepared ids in what target receives.
   */
  private void forward(
      ByteBuf frame, InFlightRequest request, int[] targetIdPositions, List<byte[]> targetIds) {
    Destination destination = request.destination;
    request.primary = context.router().primary();
    if (destination == Destination.ORIGIN || destination == Destination.BOTH) {
      request.originStreamId = origin.reserve(request);
      if (request.originStreamId < 0) {
        frame.release();
        overloaded(request, origin);
        return;
      }
    }
    if (destination == Destination.TARGET || destination == Destination.BOTH) {
      request.targetStreamId = target.reserve(request);
      if (request.targetStreamId < 0) {
        if (request.originStreamId >= 0) {
          origin.unreserve(request.originStreamId);
        }
        frame.release();
        overloaded(request, target);
        return;
      }
    }
    if (request.targetStreamId >= 0) {
      if (targetIds != null) {
        target.write(
            PreparedIds.replace(
                channel.alloc(), frame, targetIdPositions, targetIds, request.targetStreamId));
      } else if (request.originStreamId >= 0) {
        // Both clusters: target gets its own header and shares the body.
        target.write(Frames.copyHeader(channel.alloc(), frame, request.targetStreamId));
        target.write(Frames.retainedBody(frame));
      } else {
        Frames.setStreamId(frame, request.targetStreamId);
        target.write(frame.retain());
      }
      request.awaitedResponses++;
    }
    if (request.originStreamId >= 0) {
      Frames.setStreamId(frame, request.originStreamId);
      origin.write(frame.retain());
      request.awaitedResponses++;
    }
    frame.release();
    track(request);
  }

  private boolean mirrorsReads() {
    return context.router().readMode() == ReadMode.DUAL_ASYNC_ON_SECONDARY;
  }

  /**
   * Mirrors a read to the secondary cluster, if its connection can take it now. The frame stays the
   * caller's: the mirror gets a header of its own and shares the body.
   *
   * @param requiredKeyspace the keyspace unqualified table names resolve in, or null
   * @param secondaryIdPositions where an EXECUTE's ids are, when the secondary knows the statement
   *     by other ids; else null
   * @param secondaryIds the secondary's ids, matching {@code secondaryIdPositions}
   */
  private void mirrorRead(
      ByteBuf frame,
      InFlightRequest request,
      String tableKeyspace,
      String table,
      boolean ordered,
      RowsMetadata metadata,
      String requiredKeyspace,
      int[] secondaryIdPositions,
      List<byte[]> secondaryIds) {
    ClusterRole primary = context.router().primary();
    ClusterRole secondary = primary.other();
    if (mirror != null && mirror.cluster() != secondary) {
      mirror.close();
      mirror = null;
    }
    if (mirror == null) {
      mirror =
          new MirrorConnection(
              context.dualReads(),
              context.codec(),
              context.connector(secondary),
              channel.eventLoop(),
              label,
              version,
              startupOptions,
              mirrorCredentials(secondary),
              timeoutNanos);
    }
    MirroredRead read =
        new MirroredRead(
            context.dualReads(),
            tableKeyspace,
            table,
            ordered,
            metadata,
            primary,
            System.nanoTime());
    ClusterConnection secondaryConnection = secondary == ClusterRole.ORIGIN ? origin : target;
    boolean sent =
        mirror.mirror(
            read,
            requiredKeyspace,
            secondaryConnection.node(),
            streamId ->
                secondaryIdPositions == null
                    ? Unpooled.wrappedBuffer(
                        Frames.copyHeader(channel.alloc(), frame, streamId),
                        Frames.retainedBody(frame))
                    : PreparedIds.replace(
                        channel.alloc(), frame, secondaryIdPositions, secondaryIds, streamId));
    if (sent) {
      request.mirror = read;
    }
  }

  /**
   * How the mirror authenticates, given the authenticator its node names: as the client did when
   * the mirror's cluster is the one the client's credentials are for, else with Ferry's credentials
   * for it.
   */
  private Function<String, SaslAuthenticator> mirrorCredentials(ClusterRole cluster) {
    if (cluster == credentialsCluster) {
      return authenticator -> clientTokens.replay();
    }
    ClusterSettings settings = context.settings().cluster(cluster);
    return authenticator ->
        new PlainTextAuthenticator(settings.username(), settings.password(), authenticator);
  }

  private static void endMirror(InFlightRequest request) {
    if (request.mirror != null) {
      request.mirror.primaryFailed();
      request.mirror = null;
    }
  }

  private void overloaded(InFlightRequest request, ClusterConnection connection) {
    endMirror(request);
    LOG.debug(
        "{} no free stream id ({} in use): answering OVERLOADED",
        connection,
        connection.streamIdsInUse());
    replyLocally(
        request.clientStreamId,
        MessageCodec.overloaded(
            "Ferry has no free stream id on its connection to "
                + connection.role().id()
                + " "
                + Endpoints.format(connection.node())
                + " (max-stream-ids is "
                + context.settings().maxStreamIds()
                + ")"),
        version);
  }

  // ---------------------------------------------------------------------------------------------
  // Cluster → Ferry → client

  @Override
  public void onResponse(ClusterConnection connection, ByteBuf frame, Object context) {
    if (context instanceof ClusterAuthentication authentication) {
      onFerryAuthenticationAnswer(connection, frame, authentication);
      return;
    }
    InFlightRequest request = (InFlightRequest) context;
    if (request.finished) {
      // Already answered with an error (its cluster connection was lost or the client is gone).
      frame.release();
      return;
    }
    if (request.type != null) {
      NodeMetrics node = connection.metrics();
      node.recordRequest(
          request.type == RequestType.WRITES, System.nanoTime() - request.startNanos);
      if (Frames.opcode(frame) == Opcode.ERROR) {
        node.recordFailure(NodeError.of(frame.getInt(Frames.responseMessageIndex(frame))));
      }
    }
    if (connection.role() == ClusterRole.ORIGIN) {
      request.originStreamId = -1;
      request.originResponse = frame;
    } else {
      request.targetStreamId = -1;
      request.targetResponse = frame;
    }
    if (--request.awaitedResponses == 0) {
      complete(request);
    }
  }

  private void complete(InFlightRequest request) {
    untrack(request);
    if (request.opcode == Opcode.STARTUP) {
      onStartupAnswered(request);
      return;
    }
    if (request.opcode == Opcode.AUTH_RESPONSE && state == State.AUTHENTICATING) {
      onAuthResponseAnswered(request);
      return;
    }
    if (request.type != null) {
      recordOutcome(
          request, isError(request.originResponse), isError(request.targetResponse), null);
    }
    ByteBuf response = chooseResponse(request);
    if (request.opcode == Opcode.PREPARE && request.detail instanceof PendingPreparation pending) {
      rememberPrepared(request, pending);
    }
    if (response == request.originResponse) {
      request.originResponse = null;
    } else {
      request.targetResponse = null;
    }
    request.releaseResponses();
    if (request.detail instanceof PendingPreparation pending
        && pending.nowMarkers().length > 0
        && PreparedIds.preparedResultId(response) != null) {
      response = context.nowReplacement().hideMarkers(response, pending.nowMarkers());
    }
    response = afterResponse(response);
    Frames.setStreamId(response, request.clientStreamId);
    if (request.mirror != null) {
      request.mirror.primaryAnswered(response);
    }
    writeToClient(response);
    if (request.type != null) {
      // Both awaited answers are in: nothing refers to the request any more.
      recycle(request);
    }
  }

  /**
   * A request object for QUERY, EXECUTE or BATCH: one that ended normally on this connection if
   * there is one, so that steady traffic allocates none.
   *
   * @param statement what the request runs (a BATCH's first prepared statement), or null
   * @param keyspace the keyspace its unqualified names resolve in, or null
   */
  private InFlightRequest newRequest(
      int streamId,
      int opcode,
      Destination destination,
      long now,
      CqlStatement statement,
      String keyspace) {
    InFlightRequest request = spareRequests;
    if (request == null) {
      request = new InFlightRequest(streamId, opcode, destination, now);
    } else {
      spareRequests = request.next;
      spareCount--;
      request.reuse(streamId, opcode, destination, now);
    }
    request.statement = statement;
    request.keyspace = keyspace;
    return request;
  }

  private void recycle(InFlightRequest request) {
    if (spareCount == MAX_SPARE_REQUESTS) {
      return;
    }
    request.reuse(-1, 0, null, 0);
    request.finished = true;
    request.next = spareRequests;
    spareRequests = request;
    spareCount++;
  }

  private static boolean isError(ByteBuf response) {
    return response != null && Frames.opcode(response) == Opcode.ERROR;
  }

  /**
   * The proxy-level latency and failure counts of a tracked request that ended; a write that failed
   * on one cluster only is also reported to {@link PartialWrites}.
   *
   * @param unansweredReason why a cluster that gave no answer failed; null when both answered
   */
  private void recordOutcome(
      InFlightRequest request,
      boolean originFailed,
      boolean targetFailed,
      String unansweredReason) {
    ProxyMetrics metrics = context.metrics();
    metrics.recordRequest(request.type, System.nanoTime() - request.startNanos);
    switch (request.type) {
      case WRITES -> {
        if (originFailed && targetFailed) {
          metrics.writeFailed(ProxyMetrics.FailedOn.BOTH);
        } else if (originFailed) {
          metrics.writeFailed(ProxyMetrics.FailedOn.ORIGIN);
          reportPartialWrite(request, origin, request.originResponse, unansweredReason);
        } else if (targetFailed) {
          metrics.writeFailed(ProxyMetrics.FailedOn.TARGET);
          reportPartialWrite(request, target, request.targetResponse, unansweredReason);
        }
      }
      case READS_ORIGIN -> {
        if (originFailed) {
          metrics.readFailed(ClusterRole.ORIGIN);
        }
      }
      case READS_TARGET -> {
        if (targetFailed) {
          metrics.readFailed(ClusterRole.TARGET);
        }
      }
    }
  }

  private void reportPartialWrite(
      InFlightRequest request,
      ClusterConnection failed,
      ByteBuf failedResponse,
      String unansweredReason) {
    String reason =
        failedResponse != null
            ? "answered "
                + NodeError.of(failedResponse.getInt(Frames.responseMessageIndex(failedResponse)))
                    .label()
            : unansweredReason;
    long arrivedAtMillis =
        System.currentTimeMillis()
            - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.startNanos);
    context
        .partialWrites()
        .record(
            failed.role(),
            writtenTable(request),
            arrivedAtMillis,
            Endpoints.format(failed.node()) + ": " + reason);
  }

  /** {@code keyspace.table} of a write, as far as Ferry knows it. */
  private static String writtenTable(InFlightRequest request) {
    CqlStatement statement = request.statement;
    String table;
    if (statement == null || statement.table() == null) {
      table = "an unrecognized table";
    } else {
      String keyspace = statement.keyspace() != null ? statement.keyspace() : request.keyspace;
      table = keyspace != null ? keyspace + "." + statement.table() : statement.table();
    }
    return request.opcode == Opcode.BATCH ? "a BATCH (first statement on " + table + ")" : table;
  }

  /** The answer the client gets: see {@link ResponseAggregation}. */
  private ByteBuf chooseResponse(InFlightRequest request) {
    ByteBuf originResponse = request.originResponse;
    ByteBuf targetResponse = request.targetResponse;
    if (originResponse == null || targetResponse == null) {
      return originResponse == null ? targetResponse : originResponse;
    }
    int originOpcode = Frames.opcode(originResponse);
    int targetOpcode = Frames.opcode(targetResponse);
    if ((originOpcode == Opcode.ERROR) != (targetOpcode == Opcode.ERROR)) {
      LOG.debug(
          "[client {}] {} failed on {} only",
          label,
          opcodeName(request.opcode),
          originOpcode == Opcode.ERROR ? "origin" : "target");
    }
    ClusterRole chosen =
        ResponseAggregation.choose(request.opcode, originOpcode, targetOpcode, request.primary);
    return chosen == ClusterRole.ORIGIN ? originResponse : targetResponse;
  }

  private void rememberPrepared(InFlightRequest request, PendingPreparation pending) {
    if (request.originResponse == null || request.targetResponse == null) {
      return;
    }
    byte[] originId = PreparedIds.preparedResultId(request.originResponse);
    byte[] targetId = PreparedIds.preparedResultId(request.targetResponse);
    if (originId == null || targetId == null) {
      return;
    }
    RowsMetadata resultMetadata = null;
    if (pending.statement().kind() == CqlStatement.Kind.SELECT) {
      // Kept for divergence logs: executions may come back without column names and types.
      try {
        resultMetadata =
            ((Prepared) context.codec().decodeResponse(request.originResponse).message)
                .resultMetadata;
      } catch (RuntimeException e) {
        LOG.debug(
            "[client {}] could not read a PREPARED's result metadata: {}", label, e.toString());
      }
    }
    context
        .preparedStatements()
        .put(
            new PreparedStatement(
                originId,
                targetId,
                pending.statement(),
                pending.keyspace(),
                pending.nowMarkers(),
                pending.ordered(),
                resultMetadata,
                PreparedIds.preparedResultMetadataId(request.originResponse),
                PreparedIds.preparedResultMetadataId(request.targetResponse)));
  }

  /** Tracks the keyspace and translates target's UNPREPARED into the id the client knows. */
  private ByteBuf afterResponse(ByteBuf response) {
    int opcode = Frames.opcode(response);
    if (opcode == Opcode.RESULT) {
      int index = Frames.responseMessageIndex(response);
      if (response.getInt(index) == ProtocolConstants.ResultKind.SET_KEYSPACE) {
        keyspace = ProtocolPrimitives.getString(response, index + 4);
      }
    } else if (opcode == Opcode.ERROR) {
      int position = PreparedIds.unpreparedIdPosition(response);
      if (position >= 0) {
        byte[] id = ProtocolPrimitives.getShortBytes(response, position);
        byte[] originId = context.preparedStatements().originIdOf(id);
        if (originId != id) {
          ByteBuf rewritten =
              PreparedIds.replace(
                  channel.alloc(),
                  response,
                  new int[] {position},
                  List.of(originId),
                  Frames.streamId(response));
          response.release();
          return rewritten;
        }
      }
    }
    return response;
  }

  // ---------------------------------------------------------------------------------------------
  // Handshake and authentication

  /** Both clusters answered the client's STARTUP. */
  private void onStartupAnswered(InFlightRequest request) {
    ByteBuf originAnswer = request.originResponse;
    ByteBuf targetAnswer = request.targetResponse;
    request.originResponse = null;
    request.targetResponse = null;
    int originOpcode = Frames.opcode(originAnswer);
    int targetOpcode = Frames.opcode(targetAnswer);
    if (originOpcode == Opcode.ERROR || targetOpcode == Opcode.ERROR) {
      boolean originFailed = originOpcode == Opcode.ERROR;
      ByteBuf error = originFailed ? originAnswer : targetAnswer;
      (originFailed ? targetAnswer : originAnswer).release();
      LOG.info(
          "[client {}] handshake refused by {}: {}",
          label,
          originFailed ? "origin" : "target",
          context.codec().decodeResponse(error).message);
      Frames.setStreamId(error, request.clientStreamId);
      writeToClient(error);
      closeClient();
      return;
    }
    boolean originAuth = originOpcode == Opcode.AUTHENTICATE;
    boolean targetAuth = targetOpcode == Opcode.AUTHENTICATE;
    if ((!originAuth && originOpcode != Opcode.READY)
        || (!targetAuth && targetOpcode != Opcode.READY)) {
      originAnswer.release();
      targetAnswer.release();
      String message =
          "unexpected answer to STARTUP (origin: "
              + opcodeName(originOpcode)
              + ", target: "
              + opcodeName(targetOpcode)
              + ")";
      LOG.warn("[client {}] {}", label, message);
      replyLocally(request.clientStreamId, MessageCodec.serverError(message), version);
      closeClient();
      return;
    }
    credentialsCluster =
        CredentialRouting.clientCredentialsCluster(
            originAuth, targetAuth, context.settings().forwardClientCredentialsToOrigin());
    if (credentialsCluster == null) {
      targetAnswer.release();
      Frames.setStreamId(originAnswer, request.clientStreamId);
      becomeReady(originAnswer);
      return;
    }
    boolean clientOnOrigin = credentialsCluster == ClusterRole.ORIGIN;
    ByteBuf clientChallenge = clientOnOrigin ? originAnswer : targetAnswer;
    ByteBuf otherAnswer = clientOnOrigin ? targetAnswer : originAnswer;
    if (Frames.opcode(otherAnswer) == Opcode.AUTHENTICATE) {
      startFerryAuthentication(credentialsCluster.other(), otherAnswer);
    }
    otherAnswer.release();
    LOG.debug(
        "[client {}] {} asks for authentication: the client's credentials go to it",
        label,
        credentialsCluster.id());
    state = State.AUTHENTICATING;
    Frames.setStreamId(clientChallenge, request.clientStreamId);
    writeToClient(clientChallenge);
    handshakeAnswered();
  }

  /**
   * The client got READY or AUTHENTICATE: what Ferry writes from now on is compressed, if the
   * client asked for it.
   */
  private void handshakeAnswered() {
    if (isModernFraming() && channel.pipeline().get(ModernFraming.SEGMENT_DECODER) == null) {
      // v5: what follows the handshake answer travels in segments, both ways.
      ModernFraming.install(
          channel.pipeline(), ClientPipeline.FRAME_DECODER, SegmentCompression.of(compression));
      return;
    }
    if (compression != null
        && !isModernFraming()
        && channel.pipeline().get(ClientPipeline.COMPRESSOR) == null) {
      channel
          .pipeline()
          .addBefore(
              ClientPipeline.CLIENT, ClientPipeline.COMPRESSOR, new FrameCompressor(compression));
    }
  }

  private boolean isModernFraming() {
    return protocolVersion.hasModernFraming();
  }

  /** Authenticates to {@code role} with Ferry's configured credentials for it. */
  private void startFerryAuthentication(ClusterRole role, ByteBuf authenticate) {
    ClusterSettings cluster = context.settings().cluster(role);
    ClusterConnection connection = role == ClusterRole.ORIGIN ? origin : target;
    if (!cluster.hasCredentials()) {
      onFerryAuthenticationFailed(
          role.id()
              + " "
              + Endpoints.format(connection.node())
              + " requires authentication, but Ferry has no credentials for it: set "
              + cluster.credentialSettings());
      return;
    }
    String authenticator =
        ((Authenticate) context.codec().decodeResponse(authenticate).message).authenticator;
    ferryAuthentication =
        new ClusterAuthentication(
            connection,
            context.codec(),
            version,
            new PlainTextAuthenticator(cluster.username(), cluster.password(), authenticator),
            System.nanoTime());
    if (ferryAuthentication.start() == ClusterAuthentication.Status.FAILED) {
      onFerryAuthenticationFailed(ferryAuthenticationFailure());
    } else {
      connection.flush();
    }
  }

  private void onFerryAuthenticationAnswer(
      ClusterConnection connection, ByteBuf frame, ClusterAuthentication authentication) {
    if (authentication != ferryAuthentication || state == State.CLOSED) {
      frame.release();
      return;
    }
    switch (authentication.onResponse(frame)) {
      case IN_PROGRESS -> connection.flush();
      case SUCCEEDED -> {
        LOG.debug("[client {}] Ferry authenticated to {}", label, connection.role().id());
        if (heldAuthSuccess != null) {
          ByteBuf success = heldAuthSuccess;
          heldAuthSuccess = null;
          becomeReady(success);
        }
      }
      case FAILED -> onFerryAuthenticationFailed(ferryAuthenticationFailure());
    }
  }

  private String ferryAuthenticationFailure() {
    ClusterConnection connection = ferryAuthentication.connection();
    ClusterRole role = connection.role();
    return role.id()
        + " "
        + Endpoints.format(connection.node())
        + " refused Ferry's configured credentials ("
        + context.settings().cluster(role).usernameVariable()
        + "="
        + context.settings().cluster(role).username()
        + "): "
        + ferryAuthentication.failure();
  }

  /**
   * Ferry could not authenticate to the cluster it holds credentials for: the client's exchange
   * ends with an AUTHENTICATION_ERROR, now if it is waiting, else at its next AUTH_RESPONSE.
   */
  private void onFerryAuthenticationFailed(String message) {
    LOG.error("[client {}] {}", label, message);
    authenticationFailure = message;
    if (heldAuthSuccess != null) {
      int streamId = Frames.streamId(heldAuthSuccess);
      heldAuthSuccess.release();
      heldAuthSuccess = null;
      failAuthentication(streamId, message);
    }
  }

  private void onAuthResponse(ByteBuf frame, int streamId) {
    int opcode = Frames.opcode(frame);
    if (opcode != Opcode.AUTH_RESPONSE) {
      frame.release();
      replyLocally(
          streamId,
          MessageCodec.protocolError(
              "Unexpected message " + opcodeName(opcode) + " during authentication"),
          version);
      return;
    }
    if (authenticationFailure != null) {
      frame.release();
      failAuthentication(streamId, authenticationFailure);
      return;
    }
    if (!requests.isEmpty()) {
      frame.release();
      protocolViolation("AUTH_RESPONSE sent before the previous one was answered");
      return;
    }
    clientTokens.record(ProtocolPrimitives.getBytes(frame, Frames.requestMessageIndex(frame)));
    Destination destination =
        credentialsCluster == ClusterRole.ORIGIN ? Destination.ORIGIN : Destination.TARGET;
    forward(
        frame,
        new InFlightRequest(streamId, Opcode.AUTH_RESPONSE, destination, System.nanoTime()),
        null,
        null);
  }

  /** The cluster holding the client's credentials answered an AUTH_RESPONSE. */
  private void onAuthResponseAnswered(InFlightRequest request) {
    ByteBuf answer =
        request.originResponse != null ? request.originResponse : request.targetResponse;
    request.originResponse = null;
    request.targetResponse = null;
    if (authenticationFailure != null) {
      answer.release();
      failAuthentication(request.clientStreamId, authenticationFailure);
      return;
    }
    Frames.setStreamId(answer, request.clientStreamId);
    switch (Frames.opcode(answer)) {
      case Opcode.AUTH_CHALLENGE -> writeToClient(answer);
      case Opcode.AUTH_SUCCESS -> {
        if (ferryAuthentication == null
            || ferryAuthentication.status() == ClusterAuthentication.Status.SUCCEEDED) {
          becomeReady(answer);
        } else {
          heldAuthSuccess = answer;
        }
      }
      case Opcode.ERROR -> {
        Message refusal = context.codec().decodeResponse(answer).message;
        answer.release();
        ClusterConnection connection = credentialsCluster == ClusterRole.ORIGIN ? origin : target;
        String reason = refusal instanceof Error error ? error.message : String.valueOf(refusal);
        String message =
            credentialsCluster.id()
                + " "
                + Endpoints.format(connection.node())
                + " refused the client's credentials: "
                + reason;
        LOG.info("[client {}] {}", label, message);
        int code =
            refusal instanceof Error error ? error.code : ProtocolConstants.ErrorCode.AUTH_ERROR;
        replyLocally(request.clientStreamId, new Error(code, message), version);
        closeClient();
      }
      default -> {
        String message =
            "unexpected answer to AUTH_RESPONSE from "
                + credentialsCluster.id()
                + ": "
                + opcodeName(Frames.opcode(answer));
        answer.release();
        LOG.warn("[client {}] {}", label, message);
        replyLocally(request.clientStreamId, MessageCodec.serverError(message), version);
        closeClient();
      }
    }
  }

  private void failAuthentication(int streamId, String message) {
    replyLocally(streamId, new Error(ProtocolConstants.ErrorCode.AUTH_ERROR, message), version);
    closeClient();
  }

  /**
   * Starts routing requests over two cluster connections whose handshakes completed elsewhere,
   * skipping the client's own: the forwarding path alone, as the JMH benchmarks of the pipeline
   * drive it over embedded channels. Call on the event loop, after {@code channelActive}.
   */
  void routeOver(ClusterConnection origin, ClusterConnection target, ProtocolVersion version) {
    this.origin = origin;
    this.target = target;
    origin.setListener(this);
    target.setListener(this);
    this.version = version.code();
    this.protocolVersion = version;
    state = State.READY;
    handshakeDeadline.cancel(false);
  }

  /** Sends the READY or AUTH_SUCCESS that ends the handshake; requests are routed from now on. */
  private void becomeReady(ByteBuf answer) {
    boolean handshakeAnswer = state == State.HANDSHAKE;
    state = State.READY;
    handshakeDeadline.cancel(false);
    LOG.debug(
        "[client {}] ready (protocol v{}, origin {}, target {})",
        label,
        version,
        Endpoints.format(origin.node()),
        Endpoints.format(target.node()));
    writeToClient(answer);
    if (handshakeAnswer) {
      handshakeAnswered();
    }
  }

  @Override
  public void onEvent(ClusterConnection connection, ByteBuf frame) {
    // Only origin's schema changes reach the client: the two clusters get the same DDL, and one
    // event per change is what a driver expects. Topology and status events describe real nodes,
    // which drivers must not see behind Ferry's virtual topology.
    if (state == State.READY && connection.role() == ClusterRole.ORIGIN && isSchemaChange(frame)) {
      writeToClient(frame);
      flushClient();
    } else {
      frame.release();
    }
  }

  private static boolean isSchemaChange(ByteBuf frame) {
    int index = Frames.responseMessageIndex(frame);
    return ProtocolPrimitives.getString(frame, index)
        .equals(ProtocolConstants.EventType.SCHEMA_CHANGE);
  }

  @Override
  public void onClosed(ClusterConnection connection, String reason) {
    if (state == State.CLOSED) {
      return;
    }
    String message =
        "Ferry lost its connection to "
            + connection.role().id()
            + " "
            + Endpoints.format(connection.node())
            + ": "
            + reason;
    LOG.warn("{} {}; closing the client connection", connection, reason);
    failAll(message, connection, reason);
    closeClient();
  }

  @Override
  public void onWritabilityChanged(ClusterConnection connection) {
    boolean clustersWritable =
        (origin == null || origin.isWritable()) && (target == null || target.isWritable());
    channel.config().setAutoRead(clustersWritable);
  }

  @Override
  public void onReadComplete(ClusterConnection connection) {
    flushClient();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = channel.isWritable();
    if (origin != null) {
      origin.setAutoRead(writable);
    }
    if (target != null) {
      target.setAutoRead(writable);
    }
    ctx.fireChannelWritabilityChanged();
  }

  // ---------------------------------------------------------------------------------------------
  // Timeouts, failures, closing

  private void track(InFlightRequest request) {
    if (isTracked(request.opcode)) {
      request.type = RequestType.of(request.destination);
      context.metrics().requestStarted(request.type);
    }
    requests.put(request.clientStreamId, request);
    request.previous = newest;
    if (newest != null) {
      newest.next = request;
    } else {
      oldest = request;
    }
    newest = request;
  }

  /** The requests the ZDM Proxy's request metrics count. */
  private static boolean isTracked(int opcode) {
    return opcode == Opcode.QUERY || opcode == Opcode.EXECUTE || opcode == Opcode.BATCH;
  }

  private void untrack(InFlightRequest request) {
    request.finished = true;
    if (request.type != null) {
      context.metrics().requestEnded(request.type);
    }
    requests.remove(request.clientStreamId);
    if (request.previous != null) {
      request.previous.next = request.next;
    } else {
      oldest = request.next;
    }
    if (request.next != null) {
      request.next.previous = request.previous;
    } else {
      newest = request.previous;
    }
    request.previous = null;
    request.next = null;
  }

  private void onTick() {
    expireRequests();
    if (state == State.READY) {
      String stalled = incompleteFrames.check(System.nanoTime());
      if (stalled != null) {
        LOG.warn("[client {}] {}; closing the connection", label, stalled);
        closeWithProtocolError(stalled);
      }
    }
  }

  private ScheduledFuture<?> scheduleHandshakeDeadline() {
    return channel
        .eventLoop()
        .schedule(
            this::onHandshakeDeadline,
            context.settings().handshakeTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /** {@code handshake-timeout} after the connection was accepted, or after the last such check. */
  private void onHandshakeDeadline() {
    if (state == State.READY || state == State.CLOSED) {
      return;
    }
    if (state == State.HANDSHAKE || !requests.isEmpty()) {
      // Ferry is the one waiting, for a cluster: connection-timeout and request-timeout bound that.
      handshakeDeadline = scheduleHandshakeDeadline();
      return;
    }
    FrameDecoder frames = (FrameDecoder) channel.pipeline().get(ClientPipeline.FRAME_DECODER);
    String message =
        "no complete handshake within "
            + context.settings().handshakeTimeout().toMillis()
            + " ms (handshake-timeout): Ferry was waiting for "
            + (state == State.NEW ? "STARTUP" : "AUTH_RESPONSE")
            + (frames != null && frames.holdsIncompleteFrame()
                ? ", and holds " + frames.bufferedBytes() + " bytes of an incomplete frame"
                : "");
    if (frames != null && frames.framesDecoded() == 0 && !frames.holdsIncompleteFrame()) {
      // Sent nothing at all: port scanners and load-balancer probes do that all day long.
      LOG.debug("[client {}] closed: {}", label, message);
    } else {
      LOG.info("[client {}] closed: {}", label, message);
    }
    closeClient();
  }

  private void expireRequests() {
    long now = System.nanoTime();
    if (ferryAuthentication != null
        && ferryAuthentication.status() == ClusterAuthentication.Status.IN_PROGRESS
        && now - ferryAuthentication.startNanos() >= timeoutNanos) {
      ferryAuthentication.abandon(
          "no answer within "
              + context.settings().requestTimeout().toMillis()
              + " ms (request-timeout)");
      onFerryAuthenticationFailed(ferryAuthenticationFailure());
      flushClient();
    }
    if (mirror != null) {
      mirror.expire(now);
    }
    boolean expired = false;
    while (oldest != null && now - oldest.startNanos >= timeoutNanos) {
      expire(oldest);
      expired = true;
    }
    if (expired) {
      flushClient();
    }
  }

  private void expire(InFlightRequest request) {
    untrack(request);
    endMirror(request);
    List<String> silent = new ArrayList<>(2);
    boolean originSilent = request.originStreamId >= 0;
    boolean targetSilent = request.targetStreamId >= 0;
    if (originSilent) {
      silent.add("origin " + Endpoints.format(origin.node()));
      origin.orphan(request.originStreamId);
    }
    if (targetSilent) {
      silent.add("target " + Endpoints.format(target.node()));
      target.orphan(request.targetStreamId);
    }
    if (request.type != null) {
      if (originSilent) {
        origin.metrics().recordFailure(NodeError.CLIENT_TIMEOUT);
      }
      if (targetSilent) {
        target.metrics().recordFailure(NodeError.CLIENT_TIMEOUT);
      }
      recordOutcome(
          request,
          originSilent || isError(request.originResponse),
          targetSilent || isError(request.targetResponse),
          "no answer within " + context.settings().requestTimeout().toMillis() + " ms");
    }
    request.releaseResponses();
    String message =
        "Ferry received no answer from "
            + String.join(" and ", silent)
            + " within "
            + context.settings().requestTimeout().toMillis()
            + " ms (request-timeout)";
    LOG.warn("[client {}] {} {}", label, opcodeName(request.opcode), message);
    replyLocally(request.clientStreamId, MessageCodec.serverError(message), version);
    if (request.opcode == Opcode.STARTUP) {
      closeClient();
    }
  }

  /**
   * Answers every request in flight with an error.
   *
   * @param lost the cluster connection whose loss ends the requests, or null when the client broke
   *     the protocol (then no cluster failed)
   * @param lostReason why {@code lost} closed
   */
  private void failAll(String message, ClusterConnection lost, String lostReason) {
    while (oldest != null) {
      InFlightRequest request = oldest;
      untrack(request);
      endMirror(request);
      if (lost != null && request.type != null) {
        // The lost cluster failed the requests it had not answered. The other one is given up
        // too (the client connection closes with it), but when it had not answered either it
        // received the request on a healthy connection and most likely applies it: a write
        // waiting on both counts as failed on the lost cluster alone, so that it is reported.
        boolean originWaiting = request.originStreamId >= 0;
        boolean targetWaiting = request.targetStreamId >= 0;
        boolean originLost = lost.role() == ClusterRole.ORIGIN;
        boolean originFailed =
            isError(request.originResponse) || (originWaiting && (originLost || !targetWaiting));
        boolean targetFailed =
            isError(request.targetResponse) || (targetWaiting && (!originLost || !originWaiting));
        recordOutcome(
            request,
            originFailed,
            targetFailed,
            (originLost ? originFailed : targetFailed)
                ? "connection lost: " + lostReason
                : "no answer before the client connection closed with the "
                    + lost.role().id()
                    + " one");
      }
      request.releaseResponses();
      replyLocally(request.clientStreamId, MessageCodec.serverError(message), version);
    }
  }

  /**
   * Closes this connection if it is idle (no request in flight) and bound to one of {@code
   * fallbacks}: a node it fell back to while its assigned node was down. The driver opens a new
   * connection, which goes to the assigned node again, so that connections do not pile up on the
   * fallback node (and all fail together when that one restarts in turn). Call on this connection's
   * event loop.
   *
   * @return whether it closed
   */
  boolean closeIfIdleOn(Set<InetSocketAddress> fallbacks) {
    if (state != State.READY || !requests.isEmpty()) {
      return false;
    }
    boolean onFallback =
        origin != null && fallbacks.contains(origin.node())
            || target != null && fallbacks.contains(target.node());
    if (!onFallback) {
      return false;
    }
    LOG.debug("{} idle on a fallback node while its assigned node is back; closing", this);
    closeClient();
    return true;
  }

  /** Requests waiting for a cluster; read on this connection's event loop. */
  int inFlightRequests() {
    return requests.size();
  }

  private void closeClient() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    closeClusterConnections("client connection closed");
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void closeClusterConnections(String reason) {
    if (mirror != null) {
      mirror.close();
    }
    if (origin != null) {
      origin.close(reason);
    }
    if (target != null) {
      target.close(reason);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    if (pendingStartup != null) {
      pendingStartup.release();
      pendingStartup = null;
    }
    if (heldAuthSuccess != null) {
      heldAuthSuccess.release();
      heldAuthSuccess = null;
    }
    if (timeoutCheck != null) {
      timeoutCheck.cancel(false);
      handshakeDeadline.cancel(false);
    }
    while (oldest != null) {
      InFlightRequest request = oldest;
      untrack(request);
      endMirror(request);
      request.releaseResponses();
    }
    closeClusterConnections("client connection closed");
    LOG.debug("[client {}] disconnected", label);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A failed TLS handshake arrives here too (from the TLS handler, as a decoder's exception),
    // after the client pipeline logged it with its reason.
    if (cause instanceof java.io.IOException
        || cause.getCause() instanceof SSLException
        || cause instanceof NotSslRecordException) {
      LOG.debug("[client {}] {}", label, cause.toString());
    } else {
      LOG.error("[client {}] unexpected error, closing the connection", label, cause);
    }
    ctx.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Protocol problems

  private void refuseVersion(int requested, ProtocolNegotiation negotiation) {
    // Part of normal negotiation (drivers try their highest version first): DEBUG, not a warning.
    LOG.debug(
        "[client {}] asked for protocol v{}; answering a protocol error to make it downgrade",
        label,
        requested);
    replyLocally(0, negotiation.refusal(requested), negotiation.errorVersion());
    closeClient();
  }

  private void onOversized(FrameDecoder.OversizedFrame oversized) {
    String message =
        "Request of "
            + oversized.bodyLength()
            + " bytes is larger than Ferry's max-frame-length ("
            + context.settings().maxFrameLength()
            + " bytes)";
    if (state == State.READY) {
      LOG.warn("[client {}] {}", label, message);
      replyLocally(oversized.streamId(), MessageCodec.invalid(message), version);
    } else {
      protocolViolation(message);
    }
  }

  private void onUnreadable(FrameDecoder.UnreadableStream unreadable) {
    ProtocolNegotiation negotiation = negotiation();
    if (version < 0) {
      refuseVersion(unreadable.versionByte() & 0x7F, negotiation);
    } else {
      protocolViolation("unreadable bytes: " + unreadable.reason());
    }
  }

  /** A protocol error after the handshake: fatal for this connection only. */
  private void protocolViolation(String problem) {
    LOG.error("[client {}] protocol error: {}; closing the connection", label, problem);
    closeWithProtocolError(problem);
  }

  /** Fails the requests in flight, tells the client why on stream id 0, and closes. */
  private void closeWithProtocolError(String problem) {
    int errorVersion = version > 0 ? version : negotiation().errorVersion();
    failAll("connection closed after a protocol error: " + problem, null, null);
    replyLocally(0, MessageCodec.protocolError(problem), errorVersion);
    closeClient();
  }

  // ---------------------------------------------------------------------------------------------
  // Writing to the client

  private void replyLocally(int streamId, Message message, int frameVersion) {
    writeToClient(context.codec().encodeResponse(frameVersion, streamId, message));
  }

  private void writeToClient(ByteBuf frame) {
    clientWriter.write(frame);
  }

  private void flushClient() {
    clientWriter.flush();
  }

  private ProtocolNegotiation negotiation() {
    return ProtocolNegotiation.of(
        context.topology(ClusterRole.ORIGIN),
        context.topology(ClusterRole.TARGET),
        context.settings().protocol());
  }

  private Message supported() {
    return SupportedOptions.of(
        context.topology(ClusterRole.ORIGIN), context.topology(ClusterRole.TARGET), negotiation());
  }

  private static String opcodeName(int opcode) {
    return switch (opcode) {
      case Opcode.STARTUP -> "STARTUP";
      case Opcode.OPTIONS -> "OPTIONS";
      case Opcode.QUERY -> "QUERY";
      case Opcode.PREPARE -> "PREPARE";
      case Opcode.EXECUTE -> "EXECUTE";
      case Opcode.REGISTER -> "REGISTER";
      case Opcode.BATCH -> "BATCH";
      case Opcode.AUTH_RESPONSE -> "AUTH_RESPONSE";
      default -> "opcode 0x" + Integer.toHexString(opcode);
    };
  }
}
