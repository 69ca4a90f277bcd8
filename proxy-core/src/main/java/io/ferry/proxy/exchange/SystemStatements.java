package io.ferry.proxy.exchange;

import com.datastax.oss.protocol.internal.Message;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.session.ProxyContext;
import io.ferry.proxy.topology.PreparedSystemQueries;
import io.netty.buffer.ByteBuf;

/**
 * The requests on system tables that Ferry answers itself, unprepared or prepared, with the data of
 * the cluster system queries go to ({@code system-queries-mode}).
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
final class SystemStatements {

  private final ProxyContext context;

  SystemStatements(ProxyContext context) {
    this.context = context;
  }

  Message answer(CqlStatement statement, String query) {
    return context.systemTables().answer(statement.table(), query, data());
  }

  boolean canPrepare(String query) {
    return PreparedSystemQueries.canPrepare(query);
  }

  Message prepare(CqlStatement statement, String query) {
    return context.systemTables().prepared().prepare(statement.table(), query, data());
  }

  /** Whether the EXECUTE's id at {@code position} is one Ferry gave; reads two fields only. */
  boolean isPrepared(ByteBuf frame, int position) {
    return PreparedSystemQueries.isFerryId(frame, position);
  }

  Message execute(byte[] id) {
    return context.systemTables().prepared().execute(id, data());
  }

  private ClusterTopology data() {
    return context.topology(context.settings().systemQueriesCluster());
  }
}
