package io.ferry.admin.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What Ferry does to a node of a cluster and asks it, in the domain's terms; {@link JmxNodeAgent}
 * does it over JMX. Each method names the node by the address Ferry reaches it at.
 *
 * <p>Thread policy: every method may block (a remote call, a wait); call it from a worker pool.
 *
 * @throws NodeUnreachableException from any method, when the node cannot be reached
 */
public interface NodeAgent extends AutoCloseable {

  /** Closes the agent's connections to the nodes. */
  @Override
  default void close() {}

  /** Connects to the node now, so that a request is refused before it is recorded. */
  void requireReachable(String node);

  /** Runs a garbage collection of the node's JVM. */
  void gc(String node) throws Exception;

  /** How many compactions the node has pending. */
  int pendingCompactions(String node) throws Exception;

  /** The datacenter the node belongs to, as its snitch says. */
  String datacenter(String node) throws Exception;

  /**
   * Drains the node unless it is drained already.
   *
   * @return whether the node reports itself drained afterwards
   */
  boolean drain(String node) throws Exception;

  /** The node's keyspaces; with {@code replicatedOnly}, those not of LocalStrategy. */
  List<String> keyspaces(String node, boolean replicatedOnly) throws Exception;

  /** Flushes the keyspace's memtables, of every table when {@code tables} is empty. */
  void flush(String node, String keyspace, List<String> tables) throws Exception;

  /** Compacts the keyspace's tables (major compaction), every one when {@code tables} is empty. */
  void compact(String node, String keyspace, List<String> tables) throws Exception;

  /**
   * Removes the data the node no longer owns from the keyspace's tables.
   *
   * @return 0 when it succeeded, 1 when it was aborted, 2 when it could not be cancelled
   */
  int cleanup(String node, String keyspace, List<String> tables) throws Exception;

  /** Streams the node's data away and takes it out of the ring; its process goes on. */
  void decommission(String node) throws Exception;

  /** The node's operation mode ({@code NORMAL}, {@code LEAVING}, {@code DECOMMISSIONED}, ...). */
  String operationMode(String node) throws Exception;

  /** The node's own tokens. */
  List<String> tokens(String node) throws Exception;

  /** Moves a single-token node to {@code token}; returns once it has streamed. */
  void move(String node, String token) throws Exception;

  /** The cluster's partitioner, as the node knows it. */
  String partitioner(String node) throws Exception;

  /** Every token of the ring and the node owning it, as the node sees it. */
  Map<String, String> tokenToEndpoint(String node) throws Exception;

  /**
   * Starts a repair coordinated by the node and waits for its end (aborting it after {@code
   * timeout}).
   *
   * @param started told the repair's command number as soon as the node took it
   */
  RepairRunner.Outcome repair(
      String node,
      String keyspace,
      Map<String, String> options,
      Duration timeout,
      IntConsumer started)
      throws Exception;

  /** Waits for a repair started earlier (by this or another Ferry instance) to end. */
  RepairRunner.Outcome awaitRepair(String node, int command, Duration timeout) throws Exception;
}
