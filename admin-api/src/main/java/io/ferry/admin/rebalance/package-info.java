/**
 * Rebalancing single-token clusters: the balanced token of each node per datacenter, the fewest
 * moves that reach it, and {@code GET/POST /{cluster_id}/ops/rebalance}.
 */
package io.ferry.admin.rebalance;
