package io.ferry.admin.nodesync;

import io.ferry.admin.ring.TokenSpan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** NodeSync's state in memory. */
final class InMemoryNodeSyncLog implements NodeSyncLog {

  private final Map<String, Boolean> tables = new TreeMap<>();
  private final Map<String, NodeSyncStore.Status> statuses = new HashMap<>();

  private static String key(String keyspace, String table, TokenSpan span) {
    return keyspace + "." + table + " " + span.repairRange();
  }

  @Override
  public synchronized Set<String> enabledTables() {
    Set<String> enabled = new TreeSet<>();
    tables.forEach(
        (table, on) -> {
          if (on) {
            enabled.add(table);
          }
        });
    return enabled;
  }

  @Override
  public synchronized void set(Map<String, Boolean> changes) {
    tables.putAll(changes);
  }

  @Override
  public synchronized Map<TokenSpan, NodeSyncStore.Status> statuses(
      String keyspace, String table, List<TokenSpan> segments) {
    Map<TokenSpan, NodeSyncStore.Status> found = new HashMap<>();
    for (TokenSpan span : segments) {
      NodeSyncStore.Status status = statuses.get(key(keyspace, table, span));
      if (status != null) {
        found.put(span, status);
      }
    }
    return found;
  }

  @Override
  public void lock(String keyspace, String table, TokenSpan span, String node, int ttlSeconds) {}

  @Override
  public synchronized void record(
      String keyspace, String table, TokenSpan span, NodeSyncStore.Validation validation) {
    NodeSyncStore.Status current =
        statuses.getOrDefault(
            key(keyspace, table, span), new NodeSyncStore.Status(span, null, null));
    statuses.put(
        key(keyspace, table, span),
        Outcome.successful(validation.outcome())
            ? new NodeSyncStore.Status(span, validation, current.lastUnsuccessful())
            : new NodeSyncStore.Status(span, current.lastSuccessful(), validation));
  }

  /** The outcome of the segment's latest validation, or {@code null}. */
  synchronized Integer lastOutcome(String table, TokenSpan span) {
    NodeSyncStore.Status status = statuses.get(table + " " + span.repairRange());
    if (status == null) {
      return null;
    }
    NodeSyncStore.Validation last =
        status.lastUnsuccessful() == null
                || (status.lastSuccessful() != null
                    && !status
                        .lastSuccessful()
                        .startedAt()
                        .isBefore(status.lastUnsuccessful().startedAt()))
            ? status.lastSuccessful()
            : status.lastUnsuccessful();
    return last.outcome();
  }
}
