package io.ferry.proxy.routing;

import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Destination;
import io.ferry.proxy.common.ReadMode;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.topology.SystemTables;

/**
 * Decides where a CQL statement goes, as the ZDM Proxy does: reads to the primary cluster, reads of
 * system keyspaces to the system-queries cluster, {@code system.local}/{@code system.peers} to
 * Ferry itself, and everything else (writes, DDL, {@code USE}, anything not recognisably a read) to
 * both clusters.
 *
 * <p>The primary cluster can be switched at runtime ({@link #setPrimary}): each request is routed
 * under the rule in force when it arrives, so requests in flight finish as they started.
 *
 * <p>Thread-safe.
 */
public final class Router {

  private volatile ClusterRole primary;
  private volatile ReadMode readMode;
  private final Destination systemQueries;

  public Router(ClusterRole primary, ClusterRole systemQueries) {
    this(primary, systemQueries, ReadMode.PRIMARY_ONLY);
  }

  public Router(ClusterRole primary, ClusterRole systemQueries, ReadMode readMode) {
    this.primary = primary;
    this.systemQueries = destination(systemQueries);
    this.readMode = readMode;
  }

  public ReadMode readMode() {
    return readMode;
  }

  /** Switches dual reads on or off for the requests that arrive from now on. */
  public void setReadMode(ReadMode readMode) {
    this.readMode = readMode;
  }

  /** The cluster that serves reads and whose successful answers clients get. */
  public ClusterRole primary() {
    return primary;
  }

  /** Switches the primary cluster for the requests that arrive from now on. */
  public void setPrimary(ClusterRole primary) {
    this.primary = primary;
  }

  public ClusterRole systemQueriesCluster() {
    return systemQueries == Destination.ORIGIN ? ClusterRole.ORIGIN : ClusterRole.TARGET;
  }

  /**
   * @param statement the classified statement
   * @param connectionKeyspace the keyspace set by {@code USE} on the client connection (or the one
   *     the statement was prepared in), or {@code null}
   */
  public Destination route(CqlStatement statement, String connectionKeyspace) {
    return switch (statement.kind()) {
      case SELECT -> routeSelect(statement, connectionKeyspace);
      case INSIGHTS_RPC_CALL -> Destination.ACKNOWLEDGE;
      default -> Destination.BOTH;
    };
  }

  /**
   * Whether the statement is a read served by the primary cluster: what dual reads mirror (not
   * system keyspaces, not the tables Ferry answers itself).
   */
  public boolean isPrimaryRead(CqlStatement statement, String connectionKeyspace) {
    return statement.kind() == CqlStatement.Kind.SELECT
        && route(statement, connectionKeyspace) == destination(primary)
        && !isSystemKeyspace(
            statement.keyspace() != null
                ? statement.keyspace()
                : connectionKeyspace == null ? "" : connectionKeyspace);
  }

  /**
   * Where a prepared statement's executions go. Ferry does not answer prepared statements on {@code
   * system.local}/{@code system.peers} itself (drivers never prepare them); those go to the
   * system-queries cluster.
   */
  public Destination routeExecution(CqlStatement statement, String keyspace) {
    Destination destination = route(statement, keyspace);
    return destination == Destination.FERRY ? systemQueries : destination;
  }

  private Destination routeSelect(CqlStatement statement, String connectionKeyspace) {
    Destination primary = destination(this.primary);
    String keyspace = statement.keyspace() != null ? statement.keyspace() : connectionKeyspace;
    if (keyspace == null) {
      return primary;
    }
    if (SystemTables.isIntercepted(keyspace, statement.table())) {
      return Destination.FERRY;
    }
    if (isSystemKeyspace(keyspace)) {
      return systemQueries;
    }
    return primary;
  }

  /** {@code system}, {@code system_*} and DSE's {@code dse_*} keyspaces. */
  static boolean isSystemKeyspace(String keyspace) {
    return keyspace.equals("system")
        || keyspace.startsWith("system_")
        || keyspace.startsWith("dse_");
  }

  private static Destination destination(ClusterRole role) {
    return role == ClusterRole.ORIGIN ? Destination.ORIGIN : Destination.TARGET;
  }
}
