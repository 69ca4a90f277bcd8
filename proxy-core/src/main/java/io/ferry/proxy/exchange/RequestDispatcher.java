package io.ferry.proxy.exchange;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import com.datastax.oss.protocol.internal.response.result.Void;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Destination;
import io.ferry.proxy.common.ReadMode;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.cql.NowCalls;
import io.ferry.proxy.cql.OrderClause;
import io.ferry.proxy.cql.StatementClassifier;
import io.ferry.proxy.dualreads.MirroredRead;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.ferry.proxy.frame.QueryParameters;
import io.ferry.proxy.handshake.SupportedOptions;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.routing.PreparedIds;
import io.ferry.proxy.routing.PreparedStatement;
import io.ferry.proxy.session.ClientSession;
import io.ferry.proxy.session.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes each request of a ready client connection and decides what becomes of it: QUERY and PREPARE
 * are classified from their query string alone, EXECUTE and BATCH from the prepared- statement
 * cache; writes get one timestamp (and one {@code now()}) for both clusters; reads may be mirrored
 * to the secondary; system-table reads and what Ferry answers itself never reach a cluster;
 * everything else goes to the {@link Forwarder}.
 *
 * <p>Buffer ownership: {@link #onRequest} takes the frame; it ends here (answered locally and
 * released) or goes on to the {@link Forwarder}. A method that throws does so before the frame
 * changed hands, so the caller still owns it then.
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
public final class RequestDispatcher {

  static final String SHUTTING_DOWN = "Shutting down, please retry on next host.";

  private static final int[] NO_MARKERS = new int[0];

  private final ClientSession session;
  private final ProxyContext context;
  private final InFlightTable table;
  private final Forwarder forwarder;
  private final ResponseAggregator aggregator;
  private final SystemStatements systemStatements;

  public RequestDispatcher(
      ClientSession session,
      InFlightTable table,
      Forwarder forwarder,
      ResponseAggregator aggregator) {
    this.session = session;
    this.context = session.context();
    this.table = table;
    this.forwarder = forwarder;
    this.aggregator = aggregator;
    this.systemStatements = new SystemStatements(context);
  }

  /** A request on a ready connection; takes ownership of {@code frame}. */
  public void onRequest(ByteBuf frame, int streamId) {
    if (context.drainState().isDraining()) {
      frame.release();
      session.reply(streamId, MessageCodec.overloaded(SHUTTING_DOWN));
      return;
    }
    if (table.contains(streamId)) {
      frame.release();
      session.reply(
          streamId,
          MessageCodec.protocolError(
              "stream id " + streamId + " is already used by a request in flight"));
      return;
    }
    int opcode = Frames.opcode(frame);
    switch (opcode) {
      case Opcode.QUERY -> onQuery(frame, streamId);
      case Opcode.PREPARE -> onPrepare(frame, streamId);
      case Opcode.EXECUTE -> onExecute(frame, streamId);
      case Opcode.BATCH -> onBatch(frame, streamId);
      case Opcode.OPTIONS -> {
        frame.release();
        session.reply(streamId, SupportedOptions.of(context));
      }
      case Opcode.STARTUP, Opcode.AUTH_RESPONSE -> {
        frame.release();
        session.reply(
            streamId, MessageCodec.unexpected(opcode, ", the connection is already started"));
      }
      default ->
          forwarder.forward(
              frame,
              table.newRequest(streamId, opcode, Destination.BOTH, aggregator, null, null),
              null,
              null);
    }
  }

  private void onQuery(ByteBuf frame, int streamId) {
    int index = Frames.requestMessageIndex(frame);
    int length = queryLength(frame, index);
    CqlStatement statement = StatementClassifier.classify(frame, index + 4, length);
    String keyspace = keyspaceOf(frame);
    Destination destination = context.router().route(statement, keyspace);
    if (destination == Destination.FERRY) {
      String query = frame.toString(index + 4, length, StandardCharsets.UTF_8);
      frame.release();
      session.reply(streamId, systemStatements.answer(statement, query));
    } else if (destination == Destination.ACKNOWLEDGE) {
      frame.release();
      session.reply(streamId, Void.INSTANCE);
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
          table.newRequest(streamId, Opcode.QUERY, destination, aggregator, statement, keyspace);
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
      forwarder.forward(frame, request, null, null);
    }
  }

  private void onPrepare(ByteBuf frame, int streamId) {
    int index = Frames.requestMessageIndex(frame);
    int length = queryLength(frame, index);
    CqlStatement statement = StatementClassifier.classify(frame, index + 4, length);
    String keyspace = keyspaceOf(frame);
    String query = frame.toString(index + 4, length, StandardCharsets.UTF_8);
    if (context.router().route(statement, keyspace) == Destination.FERRY
        && systemStatements.canPrepare(query)) {
      // A system table Ferry answers itself: prepared by Ferry, executed by Ferry (drivers such
      // as gocql prepare every statement, system.local included).
      frame.release();
      session.reply(streamId, systemStatements.prepare(statement, query));
      return;
    }
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
    InFlightRequest request =
        table.newRequest(streamId, Opcode.PREPARE, Destination.BOTH, aggregator, null, null);
    request.preparation = new PendingPreparation(statement, keyspace, query, nowMarkers, ordered);
    forwarder.forward(frame, request, null, null);
  }

  /**
   * The keyspace unqualified names of a QUERY or PREPARE resolve in: the one it names itself (v5,
   * DSE_V2), else the connection's.
   */
  private String keyspaceOf(ByteBuf frame) {
    if (!session.protocolVersion().hasKeyspaceInRequest()) {
      return session.keyspace();
    }
    String own = QueryParameters.requestKeyspace(frame, session.protocolVersion());
    return own != null ? own : session.keyspace();
  }

  private void onExecute(ByteBuf frame, int streamId) {
    int position = PreparedIds.executeIdPosition(frame);
    if (systemStatements.isPrepared(frame, position)) {
      byte[] id = ProtocolPrimitives.getShortBytes(frame, position);
      frame.release();
      session.reply(streamId, systemStatements.execute(id));
      return;
    }
    PreparedStatement prepared = context.preparedStatements().get(frame, position);
    if (prepared == null) {
      byte[] id = ProtocolPrimitives.getShortBytes(frame, position);
      frame.release();
      context.metrics().preparedCacheMiss();
      session.reply(streamId, MessageCodec.unprepared(id));
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
        table.newRequest(
            streamId,
            Opcode.EXECUTE,
            destination,
            aggregator,
            prepared.statement(),
            prepared.keyspace());
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
      forwarder.forward(frame, request, null, null);
    } else {
      forwarder.forward(
          frame, request, prepared.targetIdPositions(frame, position), prepared.targetIds());
    }
  }

  private void onBatch(ByteBuf frame, int streamId) {
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
        session.reply(streamId, MessageCodec.unprepared(id));
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
        table.newRequest(
            streamId,
            Opcode.BATCH,
            Destination.BOTH,
            aggregator,
            first == null ? null : first.statement(),
            first == null ? null : first.keyspace());
    forwarder.forward(frame, request, targetIds == null ? null : positions, targetIds);
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
    return context.writeTimestamps().ensureTimestamp(session.channel().alloc(), frame);
  }

  private static int queryLength(ByteBuf frame, int index) {
    int length = frame.getInt(index);
    if (length < 0 || index + 4 + length > frame.writerIndex()) {
      throw new IndexOutOfBoundsException(
          "query string of " + length + " bytes past the frame's end");
    }
    return length;
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
    MirroredRead read =
        session
            .mirroring()
            .mirror(
                primary,
                session.backend(primary.other()).node(),
                tableKeyspace,
                table,
                ordered,
                metadata,
                requiredKeyspace,
                streamId ->
                    secondaryIdPositions == null
                        ? Unpooled.wrappedBuffer(
                            Frames.copyHeader(session.channel().alloc(), frame, streamId),
                            Frames.retainedBody(frame))
                        : PreparedIds.replace(
                            session.channel().alloc(),
                            frame,
                            secondaryIdPositions,
                            secondaryIds,
                            streamId));
    request.mirror = read;
  }
}
