/**
 * NodeSync for Apache Cassandra, which has none (OpsCenter's {@code /{cluster_id}/nodesync}
 * endpoints): per-table settings in {@code ferry.nodesync_tables}, a background validator that
 * checks replica agreement segment by segment with preview repairs (repairing only on mismatch),
 * outcomes in {@code ferry.nodesync_status} (DSE's {@code nodesync_status}, column for column), and
 * the summaries computed from them. Against DSE the endpoints drive DSE's own NodeSync.
 */
package io.ferry.admin.nodesync;
