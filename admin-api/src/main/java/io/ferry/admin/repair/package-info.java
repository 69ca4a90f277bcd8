/**
 * The repair service (OpsCenter's {@code /{cluster_id}/services/repair}, {@code repair-status},
 * {@code repair-details}): each cycle repairs every eligible table once, in token subranges over
 * JMX, paced to end within {@code time_to_completion}, never two on overlapping replicas; the cycle
 * lives in the cluster's {@code ferry} tables, so it survives Ferry restarts and moves between
 * instances.
 */
package io.ferry.admin.repair;
