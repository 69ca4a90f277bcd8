/**
 * Node operations (gc, drain, flush, cleanup, compact, repair, decommission, move, start, stop,
 * restart) and the jobs that run them over several nodes (bulk operations, rolling restarts), with
 * the OpsCenter {@code /{cluster_id}/ops} endpoints.
 */
package io.ferry.admin.ops;
