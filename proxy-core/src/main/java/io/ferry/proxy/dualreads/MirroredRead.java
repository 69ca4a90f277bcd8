package io.ferry.proxy.dualreads;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.backend.RequestContext;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.metrics.ProxyMetrics.Comparison;
import io.ferry.proxy.stream.DeadlineQueue;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * One read sent to the secondary cluster besides the primary: waits for both answers, then hands
 * them to the comparison. Either answer may come first; a failure on either side ends it without a
 * comparison.
 *
 * <p>Thread policy: owned by its client connection's event loop.
 */
public final class MirroredRead extends DeadlineQueue.Entry<MirroredRead>
    implements RequestContext {

  private final DualReads dualReads;
  private final String keyspace;
  private final String tableName;
  private final boolean ordered;
  private final RowsMetadata knownMetadata;
  private final ClusterRole primary;
  final long startNanos;
  int streamId = -1;

  private ByteBuf primaryResponse;
  private ByteBuf secondaryResponse;
  private boolean primaryDone;
  private boolean secondaryDone;
  private boolean comparable = true;
  private boolean finished;

  // The connection it was mirrored on, once sent.
  private MirrorConnection mirror;

  /**
   * @param keyspace the table's keyspace, if known
   * @param tableName the table read, if known
   * @param ordered whether the query fixes the order of rows
   * @param knownMetadata the result columns known from the prepared statement, for answers sent
   *     without metadata; may be null
   */
  public MirroredRead(
      DualReads dualReads,
      String keyspace,
      String tableName,
      boolean ordered,
      RowsMetadata knownMetadata,
      ClusterRole primary,
      long startNanos) {
    this.dualReads = dualReads;
    this.keyspace = keyspace;
    this.tableName = tableName;
    this.ordered = ordered;
    this.knownMetadata = knownMetadata;
    this.primary = primary;
    this.startNanos = startNanos;
  }

  void sentOn(MirrorConnection mirror, int streamId) {
    this.mirror = mirror;
    this.streamId = streamId;
  }

  @Override
  public void onResponse(BackendConnection from, ByteBuf frame) {
    mirror.answered(this, from, frame);
  }

  String keyspace() {
    return keyspace;
  }

  String tableName() {
    return tableName;
  }

  /** {@code keyspace.table}, the label divergences are counted under. */
  String table() {
    return (keyspace == null ? "?" : keyspace) + "." + (tableName == null ? "?" : tableName);
  }

  boolean ordered() {
    return ordered;
  }

  RowsMetadata knownMetadata() {
    return knownMetadata;
  }

  ClusterRole primary() {
    return primary;
  }

  /** The primary's answer, about to go to the client; it is not taken over, only shared. */
  public void primaryAnswered(ByteBuf response) {
    primaryDone = true;
    if (comparable && isResult(response) && dualReads.isComparable(response)) {
      primaryResponse = response.retainedDuplicate();
    } else {
      comparable = false;
    }
    finishIfDone();
  }

  /** The primary did not answer (timeout, lost connection, client gone). */
  public void primaryFailed() {
    primaryDone = true;
    comparable = false;
    finishIfDone();
  }

  /** The secondary's answer; taken over. */
  void secondaryAnswered(ByteBuf response) {
    secondaryDone = true;
    if (comparable && isResult(response) && dualReads.isComparable(response)) {
      secondaryResponse = response;
    } else {
      response.release();
      comparable = false;
    }
    finishIfDone();
  }

  /** The secondary did not answer. */
  void secondaryFailed() {
    secondaryDone = true;
    comparable = false;
    finishIfDone();
  }

  private void finishIfDone() {
    if (!comparable) {
      ReferenceCountUtil.safeRelease(primaryResponse);
      ReferenceCountUtil.safeRelease(secondaryResponse);
      primaryResponse = null;
      secondaryResponse = null;
    }
    if (!primaryDone || !secondaryDone || finished) {
      return;
    }
    finished = true;
    if (comparable) {
      ByteBuf primaryAnswer = primaryResponse;
      ByteBuf secondaryAnswer = secondaryResponse;
      primaryResponse = null;
      secondaryResponse = null;
      dualReads.compare(this, primaryAnswer, secondaryAnswer);
    } else {
      dualReads.metrics().mirroredReadCompared(Comparison.SKIPPED);
    }
  }

  private static boolean isResult(ByteBuf response) {
    return Frames.opcode(response) == Opcode.RESULT;
  }
}
