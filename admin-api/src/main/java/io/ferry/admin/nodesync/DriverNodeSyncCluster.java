package io.ferry.admin.nodesync;

import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.ring.TableSizes;
import io.ferry.admin.ring.TokenRing;
import io.ferry.admin.ring.TokenRing.ReplicatedSpan;
import java.util.List;

/**
 * A cluster as NodeSync reads it through the Java driver.
 *
 * <p>Thread-safe.
 */
final class DriverNodeSyncCluster implements NodeSyncCluster {

  private final ClusterSession cql;

  DriverNodeSyncCluster(ClusterSession cql) {
    this.cql = cql;
  }

  @Override
  public boolean dse() {
    return cql.nodes().stream().anyMatch(node -> node.getExtras().containsKey("DSE_VERSION"));
  }

  @Override
  public TableCatalog catalog() {
    return TableCatalog.of(cql);
  }

  @Override
  public List<ReplicatedSpan> ranges(String keyspace) {
    return TokenRing.of(cql).ranges(keyspace);
  }

  @Override
  public long tableBytes(String keyspace, String table) {
    return TableSizes.bytes(cql, keyspace, table);
  }

  @Override
  public boolean answers(String node) {
    return cql.answers(node);
  }
}
