package io.ferry.proxy.exchange;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Destination;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.metrics.NodeError;
import io.ferry.proxy.metrics.NodeMetrics;
import io.ferry.proxy.metrics.RequestType;
import io.ferry.proxy.session.ClientSession;
import io.ferry.proxy.stream.DeadlineQueue;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's requests in flight, by the client's stream id: tracks them, gathers each
 * one's answers as its backend connections hand them over, hands a request whose answers are all in
 * to its {@link AnswerHandler}, and ends the others with an error when they expire
 * (request-timeout), when a backend connection is lost, or when the client breaks the protocol.
 * Requests that ended normally are kept for reuse, so that steady traffic allocates none.
 *
 * <p>Buffer ownership: an answer handed to {@link #onResponse} belongs to its request until the
 * handler takes it; a request ended here has its answers released here.
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
public final class InFlightTable {

  private static final Logger LOG = LoggerFactory.getLogger(InFlightTable.class);

  /** Ended requests kept for reuse per connection: enough for a busy connection's turnover. */
  private static final int MAX_SPARE_REQUESTS = 64;

  private final ClientSession session;
  private final RequestOutcomes outcomes;
  private Repreparation repreparation;
  private final IntObjectHashMap<InFlightRequest> byStreamId = new IntObjectHashMap<>();
  private final DeadlineQueue<InFlightRequest> deadlines;
  private InFlightRequest spareRequests;
  private int spareCount;

  public InFlightTable(ClientSession session, RequestOutcomes outcomes) {
    this.session = session;
    this.outcomes = outcomes;
    this.deadlines = new DeadlineQueue<>(session.context().settings().requestTimeout().toNanos());
  }

  /**
   * A request object: one that ended normally on this connection if there is one.
   *
   * @param statement what the request runs (a BATCH's first prepared statement), or null
   * @param keyspace the keyspace its unqualified names resolve in, or null
   */
  public InFlightRequest newRequest(
      int streamId,
      int opcode,
      Destination destination,
      AnswerHandler handler,
      CqlStatement statement,
      String keyspace) {
    InFlightRequest request = spareRequests;
    if (request == null) {
      request = new InFlightRequest(this);
    } else {
      spareRequests = request.nextSpare;
      spareCount--;
    }
    request.reuse(streamId, opcode, destination, handler);
    request.statement = statement;
    request.keyspace = keyspace;
    return request;
  }

  /** Whether a request on the client's {@code streamId} is in flight. */
  public boolean contains(int streamId) {
    return byStreamId.containsKey(streamId);
  }

  public boolean isEmpty() {
    return byStreamId.isEmpty();
  }

  /** Requests waiting for a cluster. */
  public int size() {
    return byStreamId.size();
  }

  /** Starts the request's deadline; it was sent. */
  void track(InFlightRequest request) {
    if (isTracked(request.opcode)) {
      request.type = RequestType.of(request.destination);
      session.context().metrics().requestStarted(request.type);
    }
    byStreamId.put(request.clientStreamId, request);
    deadlines.add(request, System.nanoTime());
  }

  /** The requests the ZDM Proxy's request metrics count. */
  private static boolean isTracked(int opcode) {
    return opcode == Opcode.QUERY || opcode == Opcode.EXECUTE || opcode == Opcode.BATCH;
  }

  private void untrack(InFlightRequest request) {
    request.finished = true;
    if (request.type != null) {
      session.context().metrics().requestEnded(request.type);
    }
    byStreamId.remove(request.clientStreamId);
    deadlines.remove(request);
    request.releaseSentFrame();
  }

  /** Takes a request that ended with both awaited answers in back for reuse. */
  void recycle(InFlightRequest request) {
    if (spareCount == MAX_SPARE_REQUESTS) {
      return;
    }
    request.reuse(-1, 0, null, null);
    request.finished = true;
    request.nextSpare = spareRequests;
    spareRequests = request;
    spareCount++;
  }

  /** Who prepares forgotten statements again; set once, before the first request. */
  public void setRepreparation(Repreparation repreparation) {
    this.repreparation = repreparation;
  }

  /** A backend connection's answer to {@code request}; takes ownership of {@code frame}. */
  void onResponse(InFlightRequest request, BackendConnection from, ByteBuf frame) {
    if (request.finished) {
      // Already answered with an error (its cluster connection was lost or the client is gone).
      frame.release();
      return;
    }
    if (request.type != null) {
      NodeMetrics node = from.metrics();
      node.recordRequest(
          request.type == RequestType.WRITES, System.nanoTime() - request.startNanos());
      if (Frames.opcode(frame) == Opcode.ERROR) {
        node.recordFailure(NodeError.of(frame.getInt(Frames.responseMessageIndex(frame))));
      }
    }
    if (from.role() == ClusterRole.ORIGIN) {
      request.originStreamId = -1;
    } else {
      request.targetStreamId = -1;
    }
    if (repreparation != null && repreparation.recover(request, from, frame)) {
      // The cluster had forgotten the statement: prepared again, the request goes to it again.
      return;
    }
    accept(request, from, frame);
  }

  /**
   * Keeps a cluster's final answer to {@code request}, and hands the request on once all are in;
   * takes ownership of {@code frame}.
   */
  void accept(InFlightRequest request, BackendConnection from, ByteBuf frame) {
    if (from.role() == ClusterRole.ORIGIN) {
      request.originResponse = frame;
    } else {
      request.targetResponse = frame;
    }
    if (--request.awaitedResponses == 0) {
      untrack(request);
      request.handler.answered(request);
    }
  }

  /**
   * Ends the requests that got no answer within request-timeout with an error, orphaning their
   * stream ids. A STARTUP that expires closes the connection.
   *
   * @return whether any expired (the client has answers to flush)
   */
  public boolean expire(long nowNanos) {
    boolean expired = false;
    InFlightRequest request;
    while ((request = deadlines.pollExpired(nowNanos)) != null) {
      expire(request);
      expired = true;
    }
    return expired;
  }

  private void expire(InFlightRequest request) {
    untrack(request);
    endMirror(request);
    long timeoutMillis = session.context().settings().requestTimeout().toMillis();
    List<String> silent = new ArrayList<>(2);
    boolean originSilent = request.originStreamId >= 0 || request.originRepreparing;
    boolean targetSilent = request.targetStreamId >= 0 || request.targetRepreparing;
    BackendConnection origin = session.origin();
    BackendConnection target = session.target();
    if (originSilent) {
      silent.add("origin " + Endpoints.format(origin.node()));
      if (request.originStreamId >= 0) {
        origin.orphan(request.originStreamId);
      }
    }
    if (targetSilent) {
      silent.add("target " + Endpoints.format(target.node()));
      if (request.targetStreamId >= 0) {
        target.orphan(request.targetStreamId);
      }
    }
    if (request.type != null) {
      if (originSilent) {
        origin.metrics().recordFailure(NodeError.CLIENT_TIMEOUT);
      }
      if (targetSilent) {
        target.metrics().recordFailure(NodeError.CLIENT_TIMEOUT);
      }
      outcomes.record(
          request,
          originSilent || RequestOutcomes.isError(request.originResponse),
          targetSilent || RequestOutcomes.isError(request.targetResponse),
          "no answer within " + timeoutMillis + " ms");
    }
    request.releaseResponses();
    String message =
        "Ferry received no answer from "
            + String.join(" and ", silent)
            + " within "
            + timeoutMillis
            + " ms (request-timeout)";
    LOG.warn(
        "[client {}] {} {}", session.label(), MessageCodec.opcodeName(request.opcode), message);
    session.reply(request.clientStreamId, MessageCodec.serverError(message));
    if (request.opcode == Opcode.STARTUP) {
      session.close();
    }
  }

  /**
   * Answers every request in flight with an error.
   *
   * @param lost the backend connection whose loss ends the requests, or null when the client broke
   *     the protocol (then no cluster failed)
   * @param lostReason why {@code lost} closed
   */
  public void failAll(String message, BackendConnection lost, String lostReason) {
    InFlightRequest request;
    while ((request = deadlines.poll()) != null) {
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
            RequestOutcomes.isError(request.originResponse)
                || (originWaiting && (originLost || !targetWaiting));
        boolean targetFailed =
            RequestOutcomes.isError(request.targetResponse)
                || (targetWaiting && (!originLost || !originWaiting));
        outcomes.record(
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
      session.reply(request.clientStreamId, MessageCodec.serverError(message));
    }
  }

  /** Drops every request in flight without answering: the client is gone. */
  public void abandonAll() {
    InFlightRequest request;
    while ((request = deadlines.poll()) != null) {
      untrack(request);
      endMirror(request);
      request.releaseResponses();
    }
  }

  static void endMirror(InFlightRequest request) {
    if (request.mirror != null) {
      request.mirror.primaryFailed();
      request.mirror = null;
    }
  }
}
