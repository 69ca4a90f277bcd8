package io.ferry.proxy.exchange;

import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.common.Destination;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.routing.PreparedIds;
import io.ferry.proxy.session.ClientSession;
import io.netty.buffer.ByteBuf;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a client's request to its cluster(s) without copying it: the frame goes out as the retained
 * slice it arrived in, with its stream id patched in place; a request for both clusters shares its
 * body between them, target getting a header of its own. A request no backend connection has a free
 * stream id for is answered OVERLOADED.
 *
 * <p>Buffer ownership: {@link #forward} takes the frame; each backend connection gets its own
 * reference.
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
public final class Forwarder {

  private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

  private final ClientSession session;
  private final InFlightTable table;

  public Forwarder(ClientSession session, InFlightTable table) {
    this.session = session;
    this.table = table;
  }

  /**
   * Sends a request to its cluster(s) and tracks it. {@code targetIdPositions}/{@code targetIds},
   * when not null, replace prepared ids in what target receives.
   */
  public void forward(
      ByteBuf frame, InFlightRequest request, int[] targetIdPositions, List<byte[]> targetIds) {
    Destination destination = request.destination;
    BackendConnection origin = session.origin();
    BackendConnection target = session.target();
    request.primary = session.context().router().primary();
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
                session.channel().alloc(),
                frame,
                targetIdPositions,
                targetIds,
                request.targetStreamId));
      } else if (request.originStreamId >= 0) {
        // Both clusters: target gets its own header and shares the body.
        target.write(Frames.copyHeader(session.channel().alloc(), frame, request.targetStreamId));
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
    if (Repreparation.canResend(request.opcode)) {
      // Kept to send again to a cluster that forgot a prepared statement; released with the
      // request, so the body is shared, never copied.
      request.sentFrame = frame;
      request.targetIdPositions = targetIdPositions;
      request.targetIds = targetIds;
    } else {
      frame.release();
    }
    table.track(request);
  }

  /**
   * Sends {@code request} again to one cluster, from its kept frame, on a new stream id. The
   * request still awaits that cluster's answer.
   *
   * @return whether it was sent (false when no stream id is free)
   */
  boolean resend(InFlightRequest request, BackendConnection connection) {
    int streamId = connection.reserve(request);
    if (streamId < 0) {
      return false;
    }
    ByteBuf frame = request.sentFrame;
    if (connection.role() == io.ferry.proxy.common.ClusterRole.ORIGIN) {
      request.originStreamId = streamId;
      connection.write(Frames.copyHeader(session.channel().alloc(), frame, streamId));
      connection.write(Frames.retainedBody(frame));
    } else {
      request.targetStreamId = streamId;
      if (request.targetIds != null) {
        connection.write(
            PreparedIds.replace(
                session.channel().alloc(),
                frame,
                request.targetIdPositions,
                request.targetIds,
                streamId));
      } else {
        connection.write(Frames.copyHeader(session.channel().alloc(), frame, streamId));
        connection.write(Frames.retainedBody(frame));
      }
    }
    connection.flush();
    return true;
  }

  private void overloaded(InFlightRequest request, BackendConnection connection) {
    InFlightTable.endMirror(request);
    LOG.debug(
        "{} no free stream id ({} in use): answering OVERLOADED",
        connection,
        connection.streamIdsInUse());
    session.reply(
        request.clientStreamId,
        MessageCodec.overloaded(
            "Ferry has no free stream id on its connection to "
                + connection.role().id()
                + " "
                + Endpoints.format(connection.node())
                + " (max-stream-ids is "
                + session.context().settings().maxStreamIds()
                + ")"));
  }
}
