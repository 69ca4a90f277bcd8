package io.ferry.proxy.client;

import io.ferry.proxy.cluster.ClusterRole;
import io.ferry.proxy.dualreads.MirroredRead;
import io.ferry.proxy.metrics.RequestType;
import io.ferry.proxy.routing.CqlStatement;
import io.ferry.proxy.routing.Destination;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * A client request waiting for its cluster answer(s). Linked into its connection's list in arrival
 * order, which is also deadline order (every request has the same timeout), so that expiry checks
 * only look at the head.
 *
 * <p>Thread policy: owned by its client connection's event loop.
 */
final class InFlightRequest {

  // Not final: a request that ended normally is reused by its connection (see reuse).
  int clientStreamId;
  int opcode;
  Destination destination;
  long startNanos;

  /** The primary cluster when the request arrived: whose answer a client gets from both. */
  ClusterRole primary;

  /** The read mirrored to the secondary cluster, if any. */
  MirroredRead mirror;

  /** The metrics type of a tracked request (QUERY, EXECUTE, BATCH sent to a cluster), else null. */
  RequestType type;

  /** For PREPARE: what to remember when both clusters prepared it. */
  Object detail;

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

  InFlightRequest previous;
  InFlightRequest next;

  InFlightRequest(int clientStreamId, int opcode, Destination destination, long startNanos) {
    reuse(clientStreamId, opcode, destination, startNanos);
  }

  /**
   * Makes this object a new request. Only for one that no cluster connection, timeout list or
   * mirror refers to any more: one that ended with both awaited answers in.
   */
  void reuse(int clientStreamId, int opcode, Destination destination, long startNanos) {
    this.clientStreamId = clientStreamId;
    this.opcode = opcode;
    this.destination = destination;
    this.startNanos = startNanos;
    primary = null;
    mirror = null;
    type = null;
    detail = null;
    statement = null;
    keyspace = null;
    originStreamId = -1;
    targetStreamId = -1;
    originResponse = null;
    targetResponse = null;
    awaitedResponses = 0;
    finished = false;
    previous = null;
    next = null;
  }

  void releaseResponses() {
    ReferenceCountUtil.safeRelease(originResponse);
    ReferenceCountUtil.safeRelease(targetResponse);
    originResponse = null;
    targetResponse = null;
  }
}
