package io.ferry.admin.agent;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The operations of Cassandra's {@code StorageServiceMBean} the admin API uses, with the signatures
 * of Cassandra 4.1 and 5.0 ({@code org.apache.cassandra.db:type=StorageService}). Declared here so
 * that Ferry does not depend on {@code cassandra-all}; a JMX proxy maps each call by name and
 * signature.
 */
public interface StorageServiceOperations {

  String OBJECT_NAME = "org.apache.cassandra.db:type=StorageService";

  void forceKeyspaceFlush(String keyspace, String... tables)
      throws IOException, ExecutionException, InterruptedException;

  /** Returns 0 when it succeeded, 1 when it was aborted, 2 when it could not be cancelled. */
  int forceKeyspaceCleanup(int jobs, String keyspace, String... tables)
      throws IOException, ExecutionException, InterruptedException;

  void forceKeyspaceCompaction(boolean splitOutput, String keyspace, String... tables)
      throws IOException, ExecutionException, InterruptedException;

  /** Returns the repair's command number; 0 or less means there was nothing to repair. */
  int repairAsync(String keyspace, Map<String, String> options);

  /** {@code [IN_PROGRESS|COMPLETED|FAILED, messages...]}, or empty once forgotten. */
  List<String> getParentRepairStatus(int command);

  void forceTerminateAllRepairSessions();

  void drain() throws IOException, InterruptedException, ExecutionException;

  boolean isDrained();

  void decommission(boolean force) throws InterruptedException;

  void move(String newToken) throws IOException;

  /** The local node's tokens. */
  List<String> getTokens();

  /** Every token of the ring and the node owning it, in token order. */
  Map<String, String> getTokenToEndpointMap();

  String getOperationMode();

  String getPartitionerName();

  List<String> getKeyspaces();

  /** Keyspaces replicated across nodes (not LocalStrategy), which cleanup concerns. */
  List<String> getNonLocalStrategyKeyspaces();

  List<String> getMovingNodes();

  List<String> getLiveNodes();
}
