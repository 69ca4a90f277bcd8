/**
 * Admin requests and their history, held by the instance running them and written through to a
 * {@code ferry} keyspace (the other cluster's, for the operations on a cluster) so that every Ferry
 * instance of a fleet can answer for them, and the leases that let one instance at a time run a job
 * or operate a node.
 */
package io.ferry.admin.requests;
