package io.ferry.admin.repair;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.ferry.admin.AdminSettings;
import io.ferry.admin.agent.RepairRunner;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.repair.RepairSegment.State;
import io.ferry.admin.requests.RequestStore;
import io.ferry.admin.services.LeasedService;
import io.ferry.admin.services.ReplicaLocks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The repair service of one cluster. Every Ferry instance runs it; the one holding the {@code
 * repair-service} lease repairs, one subrange at a time:
 *
 * <ol>
 *   <li>a cycle starts with every table of every replicated keyspace (not system ones, not {@code
 *       ferry}, not {@code ignore-keyspaces}, not tables under NodeSync) cut into subranges;
 *   <li>subranges are started no sooner than the pacing plans (the cycle ends at {@code
 *       target-percentage} of {@code time_to_completion}), each after its replicas are locked and
 *       have few enough pending compactions, with {@code repairAsync} on one of its replicas;
 *   <li>a subrange that fails or times out (it is aborted) is tried again later, up to {@code
 *       max-attempts}; one that was running when its instance died is followed to its end by the
 *       next holder (by its command number) or queued again;
 *   <li>when the ring changes, the cycle stops and a new one starts after {@code
 *       cluster-stabilization-period}; when a cycle ends, the next one starts.
 * </ol>
 *
 * <p>Thread policy: the service's own thread; the route methods block (worker pool).
 */
public final class RepairService extends LeasedService<RepairStore.ServiceState> {

  private static final Duration RETRY_DELAY = Duration.ofSeconds(30);
  private static final Duration COMPACTION_BACKOFF = Duration.ofSeconds(60);

  private final AdminSettings.RepairSettings settings;
  private final RepairLog store;
  private final RepairTargets targets;
  private final Supplier<Set<String>> nodeSyncTables;
  private String ringSeen;
  private Instant ringChangedAt;
  private Instant lastOvershootWarning;
  private Integer cycleReported;

  /**
   * @param nodeSyncTables the tables ({@code ks.table}) under NodeSync, which this service leaves
   *     alone
   */
  public RepairService(
      ManagedCluster cluster,
      AdminSettings.RepairSettings settings,
      Duration idle,
      Supplier<Set<String>> nodeSyncTables) {
    this(
        cluster,
        settings,
        idle,
        nodeSyncTables,
        new RepairStore(cluster.store(), cluster.id()),
        new DriverRepairTargets(cluster.cql()));
  }

  /**
   * @param store where the service's state lives
   * @param targets what its cycles are planned from
   */
  RepairService(
      ManagedCluster cluster,
      AdminSettings.RepairSettings settings,
      Duration idle,
      Supplier<Set<String>> nodeSyncTables,
      RepairLog store,
      RepairTargets targets) {
    super(cluster, "repair-service", idle);
    this.settings = settings;
    this.store = store;
    this.targets = targets;
    this.nodeSyncTables = nodeSyncTables;
  }

  // ---- the API ----

  /** {@code GET /{cluster_id}/services/repair}. */
  public Map<String, Object> serviceStatus() {
    RepairStore.ServiceState service = store.service();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("status", service.enabled());
    status.put("parameters", parameters(service));
    return status;
  }

  /** The {@code repair} entry of {@code GET /{cluster_id}/services}. */
  public Map<String, Object> serviceSummary() {
    RepairStore.ServiceState service = store.service();
    RepairProgress.Counts counts =
        RepairProgress.Counts.of(
            service.cycle() == 0 ? List.of() : store.segments(service.cycle()));
    Map<String, Object> progress = new LinkedHashMap<>();
    progress.put("completed", counts.completed());
    progress.put("total", counts.total());
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("progress", progress);
    summary.put("status", serviceStatus());
    return summary;
  }

  private static Map<String, Object> parameters(RepairStore.ServiceState service) {
    Map<String, Object> parameters = new LinkedHashMap<>();
    if (service.timeToCompletion() > 0) {
      parameters.put("time_to_completion", service.timeToCompletion());
    }
    return parameters;
  }

  /**
   * Turns the service on. It must be off to change {@code time_to_completion} (as in OpsCenter);
   * turning it on again resumes the current cycle.
   */
  public Map<String, Object> enable(long timeToCompletion) {
    RepairStore.ServiceState service = store.service();
    if (service.enabled() && service.timeToCompletion() != timeToCompletion) {
      throw new ConflictException(
          "the repair service of cluster "
              + cluster.id()
              + " is on with time_to_completion "
              + service.timeToCompletion()
              + "; turn it off (DELETE /"
              + cluster.id()
              + "/services/repair) before changing it");
    }
    store.setEnabled(true, timeToCompletion);
    log.info("[{}] repair service on, time_to_completion {} s", cluster.id(), timeToCompletion);
    return serviceStatus();
  }

  /** Turns the service off: a subrange repair under way finishes, no other starts. */
  public Map<String, Object> disable() {
    RepairStore.ServiceState service = store.service();
    store.setEnabled(false, service.timeToCompletion());
    log.info("[{}] repair service off", cluster.id());
    return serviceStatus();
  }

  /** {@code GET /{cluster_id}/repair-status}. */
  public Map<String, Object> repairStatus() {
    RepairStore.ServiceState service = store.service();
    List<RepairSegment> segments =
        service.cycle() == 0 ? List.of() : store.segments(service.cycle());
    boolean paused = false;
    if (service.enabled() && service.cycle() > 0) {
      try {
        paused = !targets.ringFingerprint().equals(service.ring());
      } catch (UnavailableException e) {
        paused = true;
      }
    }
    return RepairProgress.status(service, segments, settings, paused, Instant.now());
  }

  /** {@code GET /{cluster_id}/repair-details}, optionally for one keyspace or table. */
  public List<Map<String, Object>> repairDetails(String keyspace, String table) {
    if (table != null && keyspace == null) {
      throw new InvalidArgumentsException("table: " + table + " given without a keyspace");
    }
    if (keyspace != null) {
      if (table == null) {
        cluster.cql().requireKeyspace(keyspace);
      } else {
        cluster.cql().requireTables(keyspace, List.of(table));
      }
    }
    RepairStore.ServiceState service = store.service();
    List<Map<String, Object>> details = new ArrayList<>();
    if (service.cycle() == 0) {
      return details;
    }
    for (RepairSegment segment : store.segments(service.cycle())) {
      if ((keyspace == null || segment.keyspace().equals(keyspace))
          && (table == null || segment.table().equals(table))) {
        details.add(RepairProgress.detail(segment));
      }
    }
    return details;
  }

  // ---- the background work ----

  @Override
  protected RepairStore.ServiceState wanted() {
    RepairStore.ServiceState service = store.service();
    return service.enabled() ? service : null;
  }

  @Override
  protected boolean step(RepairStore.ServiceState service) throws Exception {
    String fingerprint = targets.ringFingerprint();
    Instant now = Instant.now();
    if (service.cycle() == 0) {
      return startCycle(service, fingerprint);
    }
    if (!fingerprint.equals(service.ring())) {
      if (!fingerprint.equals(ringSeen)) {
        ringSeen = fingerprint;
        ringChangedAt = now;
        log.info(
            "[{}] the ring changed; repair cycle {} pauses for {} s, then a new cycle starts",
            cluster.id(),
            service.cycle(),
            settings.clusterStabilizationPeriod().toSeconds());
        return false;
      }
      if (now.isBefore(ringChangedAt.plus(settings.clusterStabilizationPeriod()))) {
        return false;
      }
      return startCycle(service, fingerprint);
    }
    List<RepairSegment> segments = store.segments(service.cycle());
    for (RepairSegment segment : segments) {
      if (segment.state() == State.RUNNING) {
        adopt(segment);
        return true;
      }
    }
    Set<String> underNodeSync = nodeSyncTables.get();
    List<RepairSegment> open = new ArrayList<>();
    for (RepairSegment segment : segments) {
      if (segment.state() != State.PENDING) {
        continue;
      }
      if (underNodeSync.contains(segment.tableName())) {
        store.save(segment.skipped("table is under NodeSync"));
      } else {
        open.add(segment);
      }
    }
    if (open.isEmpty()) {
      // Each table is repaired once per time_to_completion: the next cycle starts when this one's
      // window ends (at once when it overran it).
      Instant next = service.cycleStarted().plusSeconds(service.timeToCompletion());
      if (!Integer.valueOf(service.cycle()).equals(cycleReported)) {
        cycleReported = service.cycle();
        RepairProgress.Counts counts = RepairProgress.Counts.of(store.segments(service.cycle()));
        log.info(
            "[{}] repair cycle {} finished: {} subranges repaired, {} failed, in {} s; the next"
                + " starts at {}",
            cluster.id(),
            service.cycle(),
            counts.completed(),
            counts.failed(),
            Duration.between(service.cycleStarted(), now).toSeconds(),
            next);
      }
      return now.isBefore(next) ? false : startCycle(service, fingerprint);
    }
    RepairProgress.Counts counts = RepairProgress.Counts.of(segments);
    int started = counts.total() - counts.remaining();
    if (now.isBefore(RepairProgress.Pacing.planned(service, settings, counts.total(), started))) {
      return false;
    }
    warnIfLate(service, segments, counts, now);
    open.sort(
        Comparator.comparing(
                (RepairSegment s) -> s.notBefore() == null ? Instant.EPOCH : s.notBefore())
            .thenComparingInt(RepairSegment::id));
    for (RepairSegment segment : open) {
      if (segment.notBefore() != null && segment.notBefore().isAfter(now)) {
        break;
      }
      String busy = busyReplica(segment);
      if (busy != null) {
        store.save(segment.postponed(now.plus(COMPACTION_BACKOFF), busy));
        continue;
      }
      UUID owner = Uuids.timeBased();
      if (!ReplicaLocks.tryLock(cluster.leases(), segment.replicas(), owner)) {
        continue;
      }
      try {
        repair(segment);
      } finally {
        ReplicaLocks.unlock(cluster.leases(), segment.replicas(), owner);
      }
      return true;
    }
    return false;
  }

  private boolean startCycle(RepairStore.ServiceState service, String fingerprint) {
    Set<String> underNodeSync = nodeSyncTables.get();
    Set<String> excluded = new java.util.HashSet<>(settings.ignoreKeyspaces());
    excluded.add(RequestStore.KEYSPACE);
    List<CyclePlanner.TableRanges> tables = new ArrayList<>();
    for (CyclePlanner.TableRanges table : targets.tables(excluded)) {
      if (!underNodeSync.contains(table.keyspace() + "." + table.table())) {
        tables.add(table);
      }
    }
    int cycle = service.cycle() + 1;
    List<RepairSegment> segments =
        CyclePlanner.plan(cycle, tables, targets.nodeCount(), settings.segmentsPerNode());
    if (segments.isEmpty()) {
      log.debug("[{}] no replicated table to repair", cluster.id());
      return false;
    }
    store.startCycle(cycle, Instant.now(), fingerprint, segments);
    ringSeen = null;
    log.info(
        "[{}] repair cycle {} started: {} subranges of {} tables, to finish within {} s",
        cluster.id(),
        cycle,
        segments.size(),
        tables.size(),
        service.timeToCompletion());
    return true;
  }

  /** Why a replica of the subrange should not take a repair now, or {@code null}. */
  private String busyReplica(RepairSegment segment) {
    for (String replica : segment.replicas()) {
      try {
        int pending = cluster.agent().pendingCompactions(replica);
        if (pending > settings.maxPendingCompactions()) {
          log.info(
              "[{}] subrange {} postponed: {} has {} pending compactions",
              cluster.id(),
              segment.id(),
              replica,
              pending);
          return replica + " has " + pending + " pending compactions";
        }
      } catch (Exception e) {
        return "cannot reach " + replica + ": " + e.getMessage();
      }
    }
    return null;
  }

  private void repair(RepairSegment pending) {
    RepairSegment running = pending.running(Instant.now());
    store.save(running);
    Map<String, String> options = new HashMap<>();
    options.put("ranges", running.span().repairRange());
    options.put("columnFamilies", running.table());
    options.put("parallelism", "parallel");
    options.put("incremental", "false");
    options.put("jobThreads", "1");
    options.put("trace", "false");
    RepairRunner.Outcome outcome;
    try {
      outcome =
          cluster
              .agent()
              .repair(
                  running.coordinator(),
                  running.keyspace(),
                  options,
                  settings.segmentTimeout().multipliedBy(running.attempts()),
                  command -> store.save(running.withCommand(command)));
    } catch (InterruptedException e) {
      // Ferry stops: the subrange stays running, and the next holder follows its repair.
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      outcome =
          new RepairRunner.Outcome(
              RepairRunner.Status.FAILED, 0, List.of(String.valueOf(e.getMessage())));
    }
    finish(running, outcome);
  }

  /** Follows a subrange that was running when its instance stopped. */
  private void adopt(RepairSegment segment) throws Exception {
    if (segment.command() <= 0) {
      store.save(segment.requeued("its Ferry instance stopped before the node took the repair"));
      return;
    }
    log.info(
        "[{}] following repair #{} of subrange {} on {}, started by another instance",
        cluster.id(),
        segment.command(),
        segment.id(),
        segment.coordinator());
    Duration timeout = settings.segmentTimeout().multipliedBy(Math.max(1, segment.attempts()));
    Duration left = timeout.minus(Duration.between(segment.started(), Instant.now()));
    RepairRunner.Outcome outcome =
        cluster
            .agent()
            .awaitRepair(
                segment.coordinator(), segment.command(), left.isNegative() ? Duration.ZERO : left);
    if (outcome.status() == RepairRunner.Status.UNKNOWN) {
      store.save(segment.requeued("its repair was lost (the coordinator no longer knows it)"));
    } else {
      finish(segment, outcome);
    }
  }

  private void finish(RepairSegment running, RepairRunner.Outcome outcome) {
    Instant now = Instant.now();
    switch (outcome.status()) {
      case SUCCEEDED, NOTHING_TO_REPAIR -> store.save(running.done(now));
      default -> {
        String error = outcome.status() + ": " + outcome.summary();
        RepairSegment failed =
            running.failed(
                now,
                error,
                settings.maxAttempts(),
                now.plus(RETRY_DELAY.multipliedBy(running.attempts())));
        log.warn(
            "[{}] repair of subrange {} ({} {}) on {} failed (attempt {}{}): {}",
            cluster.id(),
            running.id(),
            running.tableName(),
            running.span().repairRange(),
            running.coordinator(),
            running.attempts(),
            failed.state() == State.FAILED ? ", the last of this cycle" : "",
            error);
        store.save(failed);
      }
    }
  }

  private void warnIfLate(
      RepairStore.ServiceState service,
      List<RepairSegment> segments,
      RepairProgress.Counts counts,
      Instant now) {
    double seconds = 0;
    int done = 0;
    for (RepairSegment segment : segments) {
      if (segment.state() == State.DONE) {
        seconds += segment.seconds();
        done++;
      }
    }
    if (done == 0) {
      return;
    }
    Instant estimatedEnd = now.plusMillis(Math.round(seconds / done * counts.remaining() * 1000));
    Instant deadline = service.cycleStarted().plusSeconds(service.timeToCompletion());
    if (estimatedEnd.isAfter(deadline)
        && (lastOvershootWarning == null
            || now.isAfter(lastOvershootWarning.plus(settings.errorLoggingWindow())))) {
      lastOvershootWarning = now;
      log.warn(
          "[{}] repair cycle {} is estimated to end at {}, after its time_to_completion ({}):"
              + " {} subranges left at {} s each",
          cluster.id(),
          service.cycle(),
          estimatedEnd,
          deadline,
          counts.remaining(),
          Math.round(seconds / done));
    }
  }
}
