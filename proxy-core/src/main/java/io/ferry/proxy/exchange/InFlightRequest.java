package io.ferry.proxy.exchange;

import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.backend.RequestContext;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Destination;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.dualreads.MirroredRead;
import io.ferry.proxy.metrics.RequestType;
import io.ferry.proxy.stream.DeadlineQueue;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * A client request waiting for its cluster answer(s): the typed context its backend connections
 * hand their answers to. Queued in its connection's {@link InFlightTable} in arrival order, which
 * is also deadline order (every request has the same timeout).
 *
 * <p>Buffer ownership: the answers it holds ({@link #originResponse}, {@link #targetResponse}) are
 * its own until the {@link InFlightTable} hands them on or releases them.
 *
 * <p>Thread policy: owned by its client connection's event loop.
 */
public final class InFlightRequest extends DeadlineQueue.Entry<InFlightRequest>
    implements RequestContext {

  private final InFlightTable table;

  // Not final: a request that ended normally is reused by its connection (see reuse).
  int clientStreamId;
  int opcode;
  Destination destination;

  /** Who takes the request once every awaited answer is in. */
  AnswerHandler handler;

  /** The primary cluster when the request arrived: whose answer a client gets from both. */
  ClusterRole primary;

  /** The read mirrored to the secondary cluster, if any. */
  MirroredRead mirror;

  /** The metrics type of a tracked request (QUERY, EXECUTE, BATCH sent to a cluster), else null. */
  RequestType type;

  /** For PREPARE: what to remember when both clusters prepared it; else null. */
  PendingPreparation preparation;

  /**
   * For QUERY, EXECUTE and BATCH: the statement (a BATCH's first prepared one, if any) and the
   * keyspace its unqualified names resolve in, to name the table of a write that fails on one
   * cluster only. Given to every such request when it is created or reused, so that a request
   * object used again never names an earlier one's table.
   */
  CqlStatement statement;

  String keyspace;

  int originStreamId = -1;
  int targetStreamId = -1;
  ByteBuf originResponse;
  ByteBuf targetResponse;
  int awaitedResponses;

  /** Answered (or abandoned): a late cluster answer is dropped. */
  boolean finished;

  /** The next spare request, while this one waits in its table's pool for reuse. */
  InFlightRequest nextSpare;

  /**
   * For EXECUTE and BATCH: the frame as origin got it (retained until the request leaves its
   * table), and how target's differs, so that it can be sent again to a cluster that had forgotten
   * a prepared statement ({@link Repreparation}).
   */
  ByteBuf sentFrame;

  int[] targetIdPositions;
  List<byte[]> targetIds;

  /** Times a cluster was asked to prepare a statement of this request again. */
  int reprepares;

  /** A cluster is preparing a statement of this request again: its answer is still awaited. */
  boolean originRepreparing;

  boolean targetRepreparing;

  /** Counts the lives of this object, so that a late callback does not touch a reused one. */
  int generation;

  InFlightRequest(InFlightTable table) {
    this.table = table;
  }

  /**
   * Makes this object a new request. Only for one that no backend connection, deadline queue or
   * mirror refers to any more: one that ended with both awaited answers in.
   */
  void reuse(int clientStreamId, int opcode, Destination destination, AnswerHandler handler) {
    this.clientStreamId = clientStreamId;
    this.opcode = opcode;
    this.destination = destination;
    this.handler = handler;
    primary = null;
    mirror = null;
    type = null;
    preparation = null;
    statement = null;
    keyspace = null;
    originStreamId = -1;
    targetStreamId = -1;
    originResponse = null;
    targetResponse = null;
    awaitedResponses = 0;
    finished = false;
    nextSpare = null;
    releaseSentFrame();
    targetIdPositions = null;
    targetIds = null;
    reprepares = 0;
    originRepreparing = false;
    targetRepreparing = false;
    generation++;
  }

  void releaseSentFrame() {
    if (sentFrame != null) {
      sentFrame.release();
      sentFrame = null;
    }
  }

  public int clientStreamId() {
    return clientStreamId;
  }

  public int opcode() {
    return opcode;
  }

  /** Origin's answer, if it came; still the request's. */
  public ByteBuf originResponse() {
    return originResponse;
  }

  /** Target's answer, if it came; still the request's. */
  public ByteBuf targetResponse() {
    return targetResponse;
  }

  /** Takes the answers over: the caller owns what it read before. */
  public void forgetResponses() {
    originResponse = null;
    targetResponse = null;
  }

  @Override
  public void onResponse(BackendConnection from, ByteBuf frame) {
    table.onResponse(this, from, frame);
  }

  void releaseResponses() {
    ReferenceCountUtil.safeRelease(originResponse);
    ReferenceCountUtil.safeRelease(targetResponse);
    originResponse = null;
    targetResponse = null;
  }
}
