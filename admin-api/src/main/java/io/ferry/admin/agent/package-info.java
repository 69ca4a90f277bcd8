/**
 * How the admin API reaches Cassandra nodes: remote JMX behind typed MBean interfaces (pooled
 * connections per node, connect timeouts) for operations, and the Java driver over CQL for cluster
 * state (nodes, schema, tokens) and the admin API's own tables.
 */
package io.ferry.admin.agent;
