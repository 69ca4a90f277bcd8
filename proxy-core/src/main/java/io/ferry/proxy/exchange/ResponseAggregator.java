package io.ferry.proxy.exchange;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.routing.PreparedIds;
import io.ferry.proxy.routing.PreparedStatement;
import io.ferry.proxy.routing.ResponseAggregation;
import io.ferry.proxy.session.ClientSession;
import io.ferry.proxy.session.ProxyContext;
import io.netty.buffer.ByteBuf;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the answers of a client request into the one answer the client gets: records the outcome,
 * chooses whose answer goes back (see {@link ResponseAggregation}), remembers a statement both
 * clusters prepared, follows the connection's keyspace, translates target's UNPREPARED into the id
 * the client knows, hands the primary's answer to a mirrored read, and writes the answer.
 *
 * <p>Buffer ownership: takes the request's answers; the chosen one goes to the client (shared with
 * a mirrored read), the other is released.
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
public final class ResponseAggregator implements AnswerHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ResponseAggregator.class);

  private final ClientSession session;
  private final ProxyContext context;
  private final InFlightTable table;
  private final RequestOutcomes outcomes;

  public ResponseAggregator(ClientSession session, InFlightTable table, RequestOutcomes outcomes) {
    this.session = session;
    this.context = session.context();
    this.table = table;
    this.outcomes = outcomes;
  }

  @Override
  public void answered(InFlightRequest request) {
    if (request.type != null) {
      outcomes.record(
          request,
          RequestOutcomes.isError(request.originResponse),
          RequestOutcomes.isError(request.targetResponse),
          null);
    }
    ByteBuf response = choose(request);
    PendingPreparation preparation = request.preparation;
    if (preparation != null) {
      remember(request, preparation);
    }
    if (response == request.originResponse) {
      request.originResponse = null;
    } else {
      request.targetResponse = null;
    }
    request.releaseResponses();
    if (preparation != null
        && preparation.nowMarkers().length > 0
        && PreparedIds.preparedResultId(response) != null) {
      response = context.nowReplacement().hideMarkers(response, preparation.nowMarkers());
    }
    response = afterResponse(response);
    Frames.setStreamId(response, request.clientStreamId);
    if (request.mirror != null) {
      request.mirror.primaryAnswered(response);
    }
    session.write(response);
    if (request.type != null) {
      // Both awaited answers are in: nothing refers to the request any more.
      table.recycle(request);
    }
  }

  /** The answer the client gets: see {@link ResponseAggregation}. */
  private ByteBuf choose(InFlightRequest request) {
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
          session.label(),
          MessageCodec.opcodeName(request.opcode),
          originOpcode == Opcode.ERROR ? "origin" : "target");
    }
    ClusterRole chosen =
        ResponseAggregation.choose(request.opcode, originOpcode, targetOpcode, request.primary);
    return chosen == ClusterRole.ORIGIN ? originResponse : targetResponse;
  }

  private void remember(InFlightRequest request, PendingPreparation pending) {
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
            "[client {}] could not read a PREPARED's result metadata: {}",
            session.label(),
            e.toString());
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
                pending.query(),
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
        session.setKeyspace(ProtocolPrimitives.getString(response, index + 4));
      }
    } else if (opcode == Opcode.ERROR) {
      int position = PreparedIds.unpreparedIdPosition(response);
      if (position >= 0) {
        byte[] id = ProtocolPrimitives.getShortBytes(response, position);
        byte[] originId = context.preparedStatements().originIdOf(id);
        if (originId != id) {
          ByteBuf rewritten =
              PreparedIds.replace(
                  session.channel().alloc(),
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
}
