/**
 * The token ring of a managed cluster as the repair service and the NodeSync validator see it:
 * token ranges, their replicas per keyspace, subranges cut from them, and table sizes from the
 * nodes' size estimates. Murmur3Partitioner only (Cassandra's default since 1.2).
 */
package io.ferry.admin.ring;
