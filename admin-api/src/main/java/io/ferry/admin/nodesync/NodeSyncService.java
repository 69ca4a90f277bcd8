package io.ferry.admin.nodesync;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.admin.AdminSettings;
import io.ferry.admin.agent.RepairRunner;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.ring.TokenSpan;
import io.ferry.admin.services.LeasedService;
import io.ferry.admin.services.ReplicaLocks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NodeSync of one cluster: the API's settings and summaries, and the validator. Every Ferry
 * instance runs the validator's loop; the one holding the {@code nodesync} lease validates, one
 * segment at a time: of every enabled table's segments, the one closest to missing its deadline
 * (never validated first), skipping segments validated less than {@code min-validation-interval}
 * ago. A validation locks the segment's replicas, runs a preview repair of the segment ({@code
 * previewKind=ALL}: replicas compare Merkle trees and stream nothing) and, only when they disagree,
 * a repair of it; it records DSE's outcome code and sleeps as long as the rate budget asks.
 *
 * <p>Against DSE (nodes report a {@code dse_version}) the settings go to DSE's {@code nodesync}
 * table option, the summaries read DSE's {@code system_distributed.nodesync_status}, and Ferry
 * validates nothing itself.
 *
 * <p>Thread policy: the validator's own thread; the route methods block (worker pool).
 */
public final class NodeSyncService extends LeasedService<Set<String>> {

  private static final Duration SIZE_CACHE = Duration.ofMinutes(5);
  private static final String IN_SYNC = "Previewed data was in sync";

  private final AdminSettings.NodeSyncSettings settings;
  private final NodeSyncLog ferryStore;
  private final NodeSyncLog dseStore;
  private final NodeSyncCluster view;
  private final Map<String, CachedSize> sizes = new ConcurrentHashMap<>();

  private record CachedSize(long bytes, Instant at) {}

  public NodeSyncService(
      ManagedCluster cluster, AdminSettings.NodeSyncSettings settings, Duration idle) {
    this(
        cluster,
        settings,
        idle,
        new NodeSyncStore(cluster.store(), "ferry"),
        new NodeSyncStore(cluster.store(), "system_distributed"),
        new DriverNodeSyncCluster(cluster.cql()));
  }

  /**
   * @param ferryStore Ferry's own NodeSync tables
   * @param dseStore DSE's {@code system_distributed.nodesync_status}, read on DSE
   * @param view what the service reads of the cluster
   */
  NodeSyncService(
      ManagedCluster cluster,
      AdminSettings.NodeSyncSettings settings,
      Duration idle,
      NodeSyncLog ferryStore,
      NodeSyncLog dseStore,
      NodeSyncCluster view) {
    super(cluster, "nodesync", idle);
    this.settings = settings;
    this.ferryStore = ferryStore;
    this.dseStore = dseStore;
    this.view = view;
  }

  private boolean dse() {
    return view.dse();
  }

  // ---- the API ----

  /** {@code POST /{cluster_id}/nodesync}: answers {@code true} once the settings are recorded. */
  public boolean update(JsonNode body) {
    TableCatalog catalog = view.catalog();
    Map<String, TableSelection.Action> actions =
        TableSelection.resolve(body, catalog, settings.maxRequestTables());
    boolean dse = dse();
    List<String> incremental =
        actions.entrySet().stream()
            .filter(entry -> entry.getValue() == TableSelection.Action.INCREMENTAL)
            .map(Map.Entry::getKey)
            .toList();
    if (!incremental.isEmpty() && !dse) {
      throw new InvalidArgumentsException(
          "incremental: Incremental NodeSync is not supported on cluster "
              + cluster.id()
              + " (Apache Cassandra; see supports_incremental in GET /"
              + cluster.id()
              + "/nodesync): Ferry's validator cannot tell data validated before from data"
              + " written since without marking it repaired, so it would validate everything"
              + " anyway. Use enable for "
              + String.join(", ", incremental));
    }
    if (dse) {
      actions.forEach(
          (table, action) ->
              cluster
                  .cql()
                  .session()
                  .execute(
                      SimpleStatement.newInstance(
                              "ALTER TABLE "
                                  + quoted(table)
                                  + " WITH nodesync = {'enabled': '"
                                  + (action != TableSelection.Action.DISABLE)
                                  + "', 'incremental': '"
                                  + (action == TableSelection.Action.INCREMENTAL)
                                  + "'}")
                          .setTimeout(Duration.ofSeconds(30))));
    } else {
      Map<String, Boolean> enabled = new TreeMap<>();
      actions.forEach(
          (table, action) -> enabled.put(table, action != TableSelection.Action.DISABLE));
      ferryStore.set(enabled);
    }
    log.info("[{}] NodeSync settings changed: {}", cluster.id(), actions);
    return true;
  }

  private static String quoted(String table) {
    int dot = table.indexOf('.');
    return CqlIdentifier.fromInternal(table.substring(0, dot)).asCql(true)
        + "."
        + CqlIdentifier.fromInternal(table.substring(dot + 1)).asCql(true);
  }

  /** The tables ({@code ks.table}) under NodeSync, which the repair service leaves alone. */
  public Set<String> enabledTables() {
    if (!cluster.store().exists()) {
      return Set.of();
    }
    return dse() ? dseEnabled(false) : ferryStore.enabledTables();
  }

  private Set<String> dseEnabled(boolean incrementalOnly) {
    Set<String> tables = new TreeSet<>();
    cluster
        .cql()
        .session()
        .getMetadata()
        .getKeyspaces()
        .forEach(
            (ks, keyspace) ->
                keyspace
                    .getTables()
                    .forEach(
                        (id, table) -> {
                          Map<?, ?> option = nodesyncOption(table);
                          if ("true".equals(String.valueOf(option.get("enabled")))
                              && (!incrementalOnly
                                  || "true".equals(String.valueOf(option.get("incremental"))))) {
                            tables.add(ks.asInternal() + "." + id.asInternal());
                          }
                        }));
    return tables;
  }

  private static Map<?, ?> nodesyncOption(TableMetadata table) {
    Object option = table.getOptions().get(CqlIdentifier.fromCql("nodesync"));
    return option instanceof Map<?, ?> map ? map : Map.of();
  }

  /** {@code GET /{cluster_id}/nodesync}. */
  public Map<String, Object> status() {
    boolean dse = dse();
    // Settings first: reading them creates Ferry's tables, which the catalog then lists.
    TreeSet<String> enabled = new TreeSet<>(dse ? dseEnabled(false) : ferryStore.enabledTables());
    TableCatalog catalog = view.catalog();
    TreeSet<String> eligible = catalog.tables(TableCatalog.Kind.ELIGIBLE);
    enabled.retainAll(eligible);
    TreeSet<String> disabled = new TreeSet<>(eligible);
    disabled.removeAll(enabled);
    List<String> pending = new ArrayList<>();
    if (!dse) {
      for (String table : enabled) {
        if (summarize(table, ferryStore, catalog, Instant.now()).lastAttempt == null) {
          pending.add(table);
        }
      }
    }
    Map<String, Object> ineligible = new LinkedHashMap<>();
    ineligible.put("system", catalog.tables(TableCatalog.Kind.SYSTEM));
    ineligible.put("rf1", catalog.tables(TableCatalog.Kind.RF1));
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("pending", pending);
    status.put("incremental", dse ? new TreeSet<>(dseEnabled(true)) : List.of());
    status.put("enabled", enabled);
    status.put("ineligible", ineligible);
    status.put("disabled", disabled);
    status.put("supports_incremental", dse);
    status.put("status", true);
    return status;
  }

  /** A table's segments and their bands. */
  private record TableSummary(
      String keyspace, String table, SyncBands bands, Instant lastAttempt) {}

  /**
   * @param store where the table's segment statuses are: Ferry's, or DSE's own
   */
  private TableSummary summarize(
      String table, NodeSyncLog store, TableCatalog catalog, Instant now) {
    int dot = table.indexOf('.');
    String keyspace = table.substring(0, dot);
    String name = table.substring(dot + 1);
    List<Segments.Segment> segments = segments(keyspace, name);
    Map<TokenSpan, NodeSyncStore.Status> statuses =
        store.statuses(keyspace, name, segments.stream().map(Segments.Segment::span).toList());
    SyncBands bands = new SyncBands();
    Instant lastAttempt = null;
    for (Segments.Segment segment : segments) {
      NodeSyncStore.Status status = statuses.get(segment.span());
      Instant success =
          status == null || status.lastSuccessful() == null
              ? null
              : status.lastSuccessful().startedAt();
      Instant attempt = status == null ? null : status.lastAttempt();
      bands.add(success, attempt, catalog.deadlineSeconds(table), now);
      if (attempt != null && (lastAttempt == null || attempt.isAfter(lastAttempt))) {
        lastAttempt = attempt;
      }
    }
    return new TableSummary(keyspace, name, bands, lastAttempt);
  }

  private List<Segments.Segment> segments(String keyspace, String table) {
    String name = keyspace + "." + table;
    CachedSize cached = sizes.get(name);
    if (cached == null || cached.at().plus(SIZE_CACHE).isBefore(Instant.now())) {
      cached = new CachedSize(view.tableBytes(keyspace, table), Instant.now());
      sizes.put(name, cached);
    }
    return Segments.of(view.ranges(keyspace), cached.bytes(), settings.segmentTargetBytes());
  }

  private List<TableSummary> tableSummaries(String onlyKeyspace) {
    TableCatalog catalog = view.catalog();
    if (onlyKeyspace != null && !catalog.keyspaceExists(onlyKeyspace)) {
      throw new InvalidArgumentsException(
          "keyspace: " + onlyKeyspace + " does not exist in cluster " + cluster.id());
    }
    TreeSet<String> enabled = new TreeSet<>(enabledTables());
    enabled.retainAll(catalog.tables(TableCatalog.Kind.ELIGIBLE));
    NodeSyncLog store = dse() ? dseStore : ferryStore;
    Instant now = Instant.now();
    List<TableSummary> summaries = new ArrayList<>();
    for (String table : enabled) {
      if (onlyKeyspace == null || table.startsWith(onlyKeyspace + ".")) {
        summaries.add(summarize(table, store, catalog, now));
      }
    }
    return summaries;
  }

  /** {@code GET /{cluster_id}/nodesync/summary}: every enabled table's segments together. */
  public Map<String, Object> summary() {
    SyncBands all = new SyncBands();
    tableSummaries(null).forEach(summary -> all.addAll(summary.bands()));
    return all.json();
  }

  /** {@code GET /{cluster_id}/nodesync/summary/keyspace}. */
  public Map<String, Object> keyspaceSummaries(String page, String perPage) {
    Map<String, SyncBands> byKeyspace = new TreeMap<>();
    for (TableSummary summary : tableSummaries(null)) {
      byKeyspace
          .computeIfAbsent(summary.keyspace(), ignored -> new SyncBands())
          .addAll(summary.bands());
    }
    List<Map<String, Object>> results = new ArrayList<>();
    byKeyspace.forEach(
        (keyspace, bands) -> {
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("keyspace", keyspace);
          result.putAll(bands.json());
          results.add(result);
        });
    return Page.of(results, page, perPage);
  }

  /** {@code GET /{cluster_id}/nodesync/summary/table[/{keyspace}]}. */
  public Map<String, Object> tableSummaries(String keyspace, String page, String perPage) {
    List<Map<String, Object>> results = new ArrayList<>();
    for (TableSummary summary : tableSummaries(keyspace)) {
      Map<String, Object> result = new LinkedHashMap<>();
      if (keyspace == null) {
        result.put("keyspace", summary.keyspace());
      }
      result.put("table", summary.table());
      result.putAll(summary.bands().json());
      results.add(result);
    }
    return Page.of(results, page, perPage);
  }

  // ---- the validator ----

  @Override
  protected Set<String> wanted() {
    if (dse()) {
      return null;
    }
    Set<String> enabled = ferryStore.enabledTables();
    return enabled.isEmpty() ? null : enabled;
  }

  private record Candidate(String keyspace, String table, Segments.Segment segment, Instant due) {}

  @Override
  protected boolean step(Set<String> enabledTables) throws Exception {
    TableCatalog catalog = view.catalog();
    TreeSet<String> enabled = new TreeSet<>(enabledTables);
    enabled.retainAll(catalog.tables(TableCatalog.Kind.ELIGIBLE));
    Instant now = Instant.now();
    Candidate next = null;
    for (String name : enabled) {
      int dot = name.indexOf('.');
      String keyspace = name.substring(0, dot);
      String table = name.substring(dot + 1);
      List<Segments.Segment> segments = segments(keyspace, table);
      Map<TokenSpan, NodeSyncStore.Status> statuses =
          ferryStore.statuses(
              keyspace, table, segments.stream().map(Segments.Segment::span).toList());
      long deadline = catalog.deadlineSeconds(name);
      for (Segments.Segment segment : segments) {
        NodeSyncStore.Status status = statuses.get(segment.span());
        Instant lastAttempt = status == null ? null : status.lastAttempt();
        if (lastAttempt != null
            && lastAttempt.plus(settings.minValidationInterval()).isAfter(now)) {
          continue;
        }
        Instant due =
            status == null || status.lastSuccessful() == null
                ? Instant.EPOCH
                : status.lastSuccessful().startedAt().plusSeconds(deadline);
        if (next == null || due.isBefore(next.due())) {
          next = new Candidate(keyspace, table, segment, due);
        }
      }
    }
    if (next == null) {
      return false;
    }
    UUID owner = Uuids.timeBased();
    if (!ReplicaLocks.tryLock(cluster.leases(), next.segment().replicas(), owner)) {
      return false;
    }
    long startedNanos = System.nanoTime();
    try {
      validate(next);
    } finally {
      ReplicaLocks.unlock(cluster.leases(), next.segment().replicas(), owner);
    }
    long budgetMillis = next.segment().bytes() * 1000 / settings.bytesPerSecond();
    long spentMillis = (System.nanoTime() - startedNanos) / 1_000_000;
    if (budgetMillis > spentMillis) {
      Thread.sleep(budgetMillis - spentMillis);
    }
    return true;
  }

  private void validate(Candidate candidate) throws Exception {
    Segments.Segment segment = candidate.segment();
    String where =
        candidate.keyspace() + "." + candidate.table() + " " + segment.span().repairRange();
    Instant started = Instant.now();
    List<String> live = new ArrayList<>();
    Set<String> missing = new TreeSet<>();
    for (String replica : segment.replicas()) {
      if (view.answers(replica)) {
        live.add(replica);
      } else {
        missing.add(replica);
      }
    }
    int outcome;
    if (live.size() < 2) {
      outcome = Outcome.UNCOMPLETED;
    } else {
      String coordinator = live.get(0);
      ferryStore.lock(
          candidate.keyspace(),
          candidate.table(),
          segment.span(),
          coordinator,
          (int) settings.segmentTimeout().toSeconds());
      Map<String, String> options = new HashMap<>();
      options.put("ranges", segment.span().repairRange());
      options.put("columnFamilies", candidate.table());
      options.put("parallelism", "parallel");
      options.put("incremental", "false");
      if (!missing.isEmpty()) {
        options.put("hosts", String.join(",", live));
      }
      boolean partial = !missing.isEmpty();
      options.put("previewKind", "ALL");
      RepairRunner.Outcome preview = run(coordinator, candidate.keyspace(), options);
      if (preview.status() != RepairRunner.Status.SUCCEEDED) {
        log.warn("[{}] NodeSync preview of {} failed: {}", cluster.id(), where, preview.summary());
        outcome = Outcome.FAILED;
      } else if (preview.messages().stream().anyMatch(message -> message.contains(IN_SYNC))) {
        outcome = Outcome.completed(partial, false);
      } else {
        log.info(
            "[{}] NodeSync found replicas of {} out of sync ({}); repairing it",
            cluster.id(),
            where,
            mismatch(preview));
        options.remove("previewKind");
        RepairRunner.Outcome repair = run(coordinator, candidate.keyspace(), options);
        if (repair.status() == RepairRunner.Status.SUCCEEDED) {
          outcome = Outcome.completed(partial, true);
        } else {
          log.warn("[{}] NodeSync repair of {} failed: {}", cluster.id(), where, repair.summary());
          outcome = Outcome.FAILED;
        }
      }
    }
    ferryStore.record(
        candidate.keyspace(),
        candidate.table(),
        segment.span(),
        new NodeSyncStore.Validation(started, outcome, missing));
    log.debug("[{}] NodeSync validated {}: {}", cluster.id(), where, Outcome.name(outcome));
  }

  /** The preview's report of what would stream, on one line and short, for the log. */
  private static String mismatch(RepairRunner.Outcome preview) {
    for (String message : preview.messages()) {
      int at = message.indexOf("Total estimated streaming");
      if (at >= 0) {
        String line = message.substring(at).replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
      }
    }
    return "no streaming estimate";
  }

  private RepairRunner.Outcome run(
      String coordinator, String keyspace, Map<String, String> options) {
    try {
      return cluster
          .agent()
          .repair(coordinator, keyspace, options, settings.segmentTimeout(), command -> {});
    } catch (Exception e) {
      return new RepairRunner.Outcome(
          RepairRunner.Status.FAILED, 0, List.of(String.valueOf(e.getMessage())));
    }
  }
}
