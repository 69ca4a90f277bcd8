package io.ferry.admin.agent;

/**
 * The part of Cassandra's {@code EndpointSnitchInfoMBean} the admin API uses ({@code
 * org.apache.cassandra.db:type=EndpointSnitchInfo}): where the node itself is.
 */
public interface EndpointSnitchInfoOperations {

  String OBJECT_NAME = "org.apache.cassandra.db:type=EndpointSnitchInfo";

  /** The node's own datacenter. */
  String getDatacenter();
}
