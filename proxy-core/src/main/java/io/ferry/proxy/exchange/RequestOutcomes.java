package io.ferry.proxy.exchange;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.metrics.NodeError;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.ferry.proxy.session.ClientSession;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * What became of a tracked request that ended, however it ended: the proxy-level latency and
 * failure counts, and a write that failed on one cluster only reported to {@link
 * io.ferry.proxy.partialwrites.PartialWrites}.
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
public final class RequestOutcomes {

  private final ClientSession session;

  public RequestOutcomes(ClientSession session) {
    this.session = session;
  }

  static boolean isError(ByteBuf response) {
    return response != null && Frames.opcode(response) == Opcode.ERROR;
  }

  /**
   * Records how a tracked request ended.
   *
   * @param unansweredReason why a cluster that gave no answer failed; null when both answered
   */
  void record(
      InFlightRequest request,
      boolean originFailed,
      boolean targetFailed,
      String unansweredReason) {
    ProxyMetrics metrics = session.context().metrics();
    metrics.recordRequest(request.type, System.nanoTime() - request.startNanos());
    switch (request.type) {
      case WRITES -> {
        if (originFailed && targetFailed) {
          metrics.writeFailed(ProxyMetrics.FailedOn.BOTH);
        } else if (originFailed) {
          metrics.writeFailed(ProxyMetrics.FailedOn.ORIGIN);
          reportPartialWrite(request, session.origin(), request.originResponse, unansweredReason);
        } else if (targetFailed) {
          metrics.writeFailed(ProxyMetrics.FailedOn.TARGET);
          reportPartialWrite(request, session.target(), request.targetResponse, unansweredReason);
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
      BackendConnection failed,
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
            - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.startNanos());
    session
        .context()
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
}
