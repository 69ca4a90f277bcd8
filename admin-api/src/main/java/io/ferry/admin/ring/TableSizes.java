package io.ferry.admin.ring;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import io.ferry.admin.agent.ClusterSession;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The size of a table across the cluster, from every node's {@code system.table_estimates} for its
 * primary ranges (mean partition size times partition count, as nodes record it every few minutes),
 * so that each piece of data counts once whatever the replication factor.
 *
 * <p>Thread policy: blocking; worker threads. Stateless.
 */
public final class TableSizes {

  private static final Logger LOG = LoggerFactory.getLogger(TableSizes.class);

  private TableSizes() {}

  /** Estimated bytes of one replica of the table's data; 0 when no node has an estimate yet. */
  public static long bytes(ClusterSession cluster, String keyspace, String table) {
    long total = 0;
    for (Node node : cluster.nodes()) {
      try {
        for (Row row :
            cluster
                .session()
                .execute(
                    SimpleStatement.newInstance(
                            "SELECT mean_partition_size, partitions_count FROM"
                                + " system.table_estimates WHERE keyspace_name = ? AND table_name"
                                + " = ? AND range_type = 'primary'",
                            keyspace,
                            table)
                        .setNode(node)
                        .setTimeout(Duration.ofSeconds(5)))) {
          total += row.getLong("mean_partition_size") * row.getLong("partitions_count");
        }
      } catch (RuntimeException e) {
        LOG.debug(
            "no size estimates of {}.{} from {}: {}",
            keyspace,
            table,
            ClusterSession.address(node),
            e.toString());
      }
    }
    return total;
  }
}
