package io.ferry.admin.nodesync;

import io.ferry.admin.ring.TokenSpan;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NodeSync's state: which tables it validates, and each segment's validations ({@link
 * NodeSyncStore} keeps them in {@code nodesync_tables} and a {@code nodesync_status} table).
 *
 * <p>Thread policy: may block; the validator's thread or a worker. Implementations are thread-safe.
 */
interface NodeSyncLog {

  /** The tables ({@code ks.table}) NodeSync is enabled on. */
  Set<String> enabledTables();

  /** Enables ({@code true}) or disables NodeSync on tables. */
  void set(Map<String, Boolean> tables);

  /** The statuses of those of a table's segments that have one. */
  Map<TokenSpan, NodeSyncStore.Status> statuses(
      String keyspace, String table, List<TokenSpan> segments);

  /** Marks a segment as being validated by {@code node}, for {@code ttlSeconds}. */
  void lock(String keyspace, String table, TokenSpan span, String node, int ttlSeconds);

  /** Records a validation of a segment. */
  void record(String keyspace, String table, TokenSpan span, NodeSyncStore.Validation validation);
}
