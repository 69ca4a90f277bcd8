/**
 * Long-running admin requests and their history, kept in the {@code ferry} keyspace of the cluster
 * they concern so that every Ferry instance of a fleet can answer for them, and the leases
 * (lightweight transactions) that let one instance at a time run a job or operate a node.
 */
package io.ferry.admin.requests;
