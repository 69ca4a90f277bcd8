package io.ferry.proxy.session;

import io.ferry.proxy.cluster.ClusterConnector;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.dualreads.DualReads;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.ferry.proxy.partialwrites.PartialWrites;
import io.ferry.proxy.rewrite.NowReplacement;
import io.ferry.proxy.rewrite.WriteTimestamps;
import io.ferry.proxy.routing.PreparedStatementCache;
import io.ferry.proxy.routing.Router;
import io.ferry.proxy.topology.SystemTables;

/**
 * What every client connection of a Ferry instance shares. Thread-safe: each part is immutable or
 * concurrent.
 */
public record ProxyContext(
    ProxySettings settings,
    MessageCodec codec,
    Router router,
    PreparedStatementCache preparedStatements,
    SystemTables systemTables,
    ClusterConnector origin,
    ClusterConnector target,
    ProxyMetrics metrics,
    WriteTimestamps writeTimestamps,
    NowReplacement nowReplacement,
    DualReads dualReads,
    PartialWrites partialWrites,
    DrainState drainState) {

  public ClusterConnector connector(ClusterRole role) {
    return role == ClusterRole.ORIGIN ? origin : target;
  }

  public ClusterTopology topology(ClusterRole role) {
    return connector(role).controlConnection().topology();
  }

  /** Whether the instance is shutting down: new requests are refused with OVERLOADED. */
  public static final class DrainState {
    private volatile boolean draining;

    public boolean isDraining() {
      return draining;
    }

    public void startDraining() {
      draining = true;
    }
  }
}
