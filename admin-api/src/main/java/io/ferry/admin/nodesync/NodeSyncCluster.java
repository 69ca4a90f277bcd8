package io.ferry.admin.nodesync;

import io.ferry.admin.ring.TokenRing.ReplicatedSpan;
import java.util.List;

/**
 * What NodeSync reads of its cluster ({@link DriverNodeSyncCluster} reads it with the Java driver):
 * its tables, token ranges, table sizes and which nodes answer.
 *
 * <p>Thread policy: may block; the validator's thread or a worker.
 */
interface NodeSyncCluster {

  /** Whether the cluster is DataStax Enterprise, which runs NodeSync itself. */
  boolean dse();

  /** The cluster's tables as its schema has them now. */
  TableCatalog catalog();

  /**
   * The ring's ranges with their replicas in {@code keyspace}.
   *
   * @throws io.ferry.admin.errors.UnavailableException when the ring is not known yet
   */
  List<ReplicatedSpan> ranges(String keyspace);

  /** Estimated bytes of one replica of the table's data (0 when unknown). */
  long tableBytes(String keyspace, String table);

  /** Whether the node answers CQL now. */
  boolean answers(String node);
}
