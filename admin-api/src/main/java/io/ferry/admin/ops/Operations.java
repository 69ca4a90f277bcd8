package io.ferry.admin.ops;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.ferry.admin.WorkerPool;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.AdminException;
import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.errors.NotFoundException;
import io.ferry.admin.errors.OperationFailedException;
import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.ops.node.NodeTarget;
import io.ferry.admin.requests.AdminRequest;
import io.ferry.admin.requests.Leases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs node operations and jobs as tracked requests: each one is recorded in its cluster's {@link
 * ManagedCluster#requests()} before it runs, holds the leases that keep two Ferry instances from
 * operating the same node (or running two rolling restarts) at once, and records how it ended. A
 * job's runner renews its lease, and confirms it before each step (a holder that was paused while
 * another instance took the job over stops there); when a Ferry instance dies, {@link #takeOver()}
 * on another instance resumes its jobs from the first step that had not succeeded.
 *
 * <p>Thread policy: blocking; called on the admin request pool, runs operations on the operation
 * pool. Thread-safe.
 */
public final class Operations {

  private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
  private static final Set<String> RESUMABLE =
      Set.of(JobPlan.BULK_OPERATIONS, JobPlan.ROLLING_RESTART, JobPlan.REBALANCE);
  private static final int TAKEOVER_SCAN_DEPTH = 20;

  private final Map<String, ManagedCluster> clusters;
  private final WorkerPool workers;
  private final Duration operationWait;
  // Jobs this instance runs, and those asked to stop.
  private final Set<UUID> running = ConcurrentHashMap.newKeySet();
  private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();

  public Operations(
      Map<String, ManagedCluster> clusters, WorkerPool workers, Duration operationWait) {
    this.clusters = Map.copyOf(clusters);
    this.workers = workers;
    this.operationWait = operationWait;
  }

  /**
   * The cluster of that id.
   *
   * @throws NotFoundException naming the managed clusters if there is none
   */
  public ManagedCluster cluster(String id) {
    ManagedCluster cluster = clusters.get(id);
    if (cluster == null) {
      throw new NotFoundException(
          "cluster_id: "
              + id
              + " is not a cluster Ferry manages (expected one of: "
              + String.join(", ", clusters.keySet().stream().sorted().toList())
              + ")");
    }
    return cluster;
  }

  public Map<String, ManagedCluster> clusters() {
    return clusters;
  }

  // ---------------------------------------------------------------------------------------------
  // One operation on one node

  /**
   * Records and starts one operation; its node's lease is taken first (409 when another request
   * holds it).
   *
   * @return the request's id, and a future completing with its message when it has succeeded
   */
  public Started start(ManagedCluster cluster, Step step, String caller) {
    String lease = nodeLease(step.ip());
    // A node operation must stay possible while a node of a small cluster is down (to start it).
    cluster.operationLeases().acquireOrConflict(lease, step.id(), "node " + step.ip(), true);
    try {
      cluster
          .requests()
          .insert(
              newRequest(
                  cluster,
                  step.id(),
                  step.action(),
                  AdminRequest.RUNNING,
                  Instant.now(),
                  null,
                  List.of(),
                  step,
                  caller));
    } catch (RuntimeException e) {
      cluster.operationLeases().release(lease, step.id());
      throw e;
    }
    audit(cluster, caller, step.action() + " " + step.ip() + " " + step.arguments(), step.id());
    CompletableFuture<String> done;
    try {
      done =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return runStep(cluster, step);
                } finally {
                  cluster.operationLeases().release(lease, step.id());
                }
              },
              workers);
    } catch (UnavailableException full) {
      cluster.operationLeases().release(lease, step.id());
      finish(cluster, step.id(), AdminRequest.ERROR, "not run: " + full.getMessage());
      throw full;
    }
    return new Started(step.id(), done);
  }

  /** A request that was started: its id, and what it will end with. */
  public record Started(UUID id, CompletableFuture<String> done) {}

  /** How a started operation stands once {@code operation-wait} is over, or it ended sooner. */
  public sealed interface Progress {
    /** It succeeded, with this message. */
    record Done(String message) implements Progress {}

    /** It goes on; {@code GET /request/{id}/status} follows it. */
    record StillRunning(UUID id) implements Progress {}
  }

  /**
   * Waits up to {@code operation-wait} for a started operation.
   *
   * @throws AdminException what the operation threw, when it is one
   * @throws OperationFailedException when it failed otherwise
   */
  public Progress await(Started started) throws InterruptedException {
    try {
      return new Progress.Done(started.done().get(operationWait.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      return new Progress.StillRunning(started.id());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StepFailure failure) {
        cause = failure.getCause();
      }
      if (cause instanceof AdminException refused) {
        throw refused;
      }
      throw new OperationFailedException(started.id(), String.valueOf(cause.getMessage()), cause);
    }
  }

  /** Runs a step whose request is recorded as running; records how it ended. */
  private String runStep(ManagedCluster cluster, Step step) {
    long startNanos = System.nanoTime();
    try {
      String message =
          step.nodeAction()
              .operation()
              .run(
                  new NodeTarget(cluster.id(), step.ip(), cluster.agent(), cluster.processes()),
                  step.arguments());
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
      LOG.info(
          "[{} {}] {} done in {} s: {}", cluster.id(), step.ip(), step.action(), seconds, message);
      finish(cluster, step.id(), AdminRequest.SUCCESS, message);
      return message;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String message = e.getMessage() != null ? e.getMessage() : e.toString();
      LOG.warn("[{} {}] {} failed: {}", cluster.id(), step.ip(), step.action(), message);
      finish(cluster, step.id(), AdminRequest.ERROR, message);
      throw new StepFailure(e);
    }
  }

  /** A step that failed, its cause what the operation threw. */
  private static final class StepFailure extends RuntimeException {
    StepFailure(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  private static void finish(ManagedCluster cluster, UUID id, String state, String message) {
    try {
      cluster.requests().update(id, state, Instant.now(), message);
    } catch (RuntimeException e) {
      LOG.warn("Cannot record that request {} ended ({}): {}", id, state, e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Jobs

  /**
   * Records a job and its steps, takes its lease (409 when another job holds it) and starts it.
   *
   * @return the job's request id
   */
  public UUID startJob(ManagedCluster cluster, UUID id, JobPlan plan, String caller) {
    cluster
        .operationLeases()
        .acquireOrConflict(
            plan.lease(), id, "cluster " + cluster.id() + " (a " + plan.type() + ")", false);
    try {
      Instant now = Instant.now();
      List<UUID> children = new ArrayList<>();
      for (Step step : plan.steps()) {
        children.add(step.id());
        cluster
            .requests()
            .insert(
                newRequest(
                    cluster,
                    step.id(),
                    step.action(),
                    AdminRequest.PENDING,
                    now,
                    id,
                    List.of(),
                    step,
                    caller));
      }
      cluster
          .requests()
          .insert(
              newRequest(
                  cluster,
                  id,
                  plan.type(),
                  AdminRequest.RUNNING,
                  now,
                  null,
                  children,
                  plan,
                  caller));
    } catch (RuntimeException e) {
      cluster.operationLeases().release(plan.lease(), id);
      throw e;
    }
    audit(cluster, caller, plan.type() + " of " + plan.steps().size() + " steps", id);
    running.add(id);
    try {
      workers.execute(() -> runJob(cluster, id, plan));
    } catch (UnavailableException full) {
      running.remove(id);
      cluster.operationLeases().release(plan.lease(), id);
      skipRest(cluster, plan.steps(), "not run: " + full.getMessage());
      finish(cluster, id, AdminRequest.ERROR, "not run: " + full.getMessage());
      throw full;
    }
    return id;
  }

  private void runJob(ManagedCluster cluster, UUID id, JobPlan plan) {
    try {
      String outcome =
          plan.rolling() ? runRolling(cluster, id, plan) : runParallel(cluster, id, plan);
      if (outcome == null) {
        return; // lost its lease, or Ferry is stopping: another instance goes on with it
      }
      if (!cluster.operationLeases().confirm(plan.lease(), id)) {
        // Its last step ran while another instance took the job over: that one ends it.
        skipRest(cluster, List.of(), LOST);
        return;
      }
      boolean failed = !outcome.isEmpty();
      finish(
          cluster,
          id,
          failed ? AdminRequest.ERROR : AdminRequest.SUCCESS,
          failed ? outcome : "all " + plan.steps().size() + " steps done");
      LOG.info("[{}] {} {} ended: {}", cluster.id(), plan.type(), id, failed ? outcome : "success");
    } catch (RuntimeException e) {
      if (!cluster.operationLeases().confirm(plan.lease(), id)) {
        skipRest(cluster, List.of(), LOST); // not this instance's job any more: not its failure
        return;
      }
      LOG.error("[{}] {} {} failed", cluster.id(), plan.type(), id, e);
      finish(cluster, id, AdminRequest.ERROR, String.valueOf(e.getMessage()));
    } finally {
      running.remove(id);
      cancelled.remove(id);
      cluster.operationLeases().release(plan.lease(), id);
    }
  }

  /** Runs steps one by one; returns "" when all succeeded, why it stopped, or null if lost. */
  private String runRolling(ManagedCluster cluster, UUID id, JobPlan plan) {
    List<Step> steps = plan.steps();
    boolean ranOne = false;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (isDone(cluster, step.id())) {
        // A resumed job: this step succeeded before; the pause after it may not have elapsed.
        ranOne = true;
        continue;
      }
      if (ranOne) {
        String interruption = pause(cluster, id, plan);
        if (interruption != null) {
          return skipRest(cluster, steps.subList(i, steps.size()), interruption);
        }
      }
      String interruption = interruption(cluster, id, plan);
      if (interruption != null) {
        return skipRest(cluster, steps.subList(i, steps.size()), interruption);
      }
      ranOne = true;
      try {
        runJobStep(cluster, step);
      } catch (RuntimeException e) {
        if (workers.isShutdown()) {
          return skipRest(cluster, List.of(), STOPPING);
        }
        String why =
            step.action() + " of " + step.ip() + " failed: " + e.getMessage() + "; the job stopped";
        skipRest(cluster, steps.subList(i + 1, steps.size()), "not run: an earlier step failed");
        return why;
      }
    }
    return "";
  }

  private String runParallel(ManagedCluster cluster, UUID id, JobPlan plan) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    List<Runnable> later = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (Step step : plan.steps()) {
      if (isDone(cluster, step.id())) {
        continue;
      }
      Runnable run =
          () -> {
            try {
              runJobStep(cluster, step);
            } catch (RuntimeException e) {
              synchronized (failures) {
                failures.add(step.action() + " of " + step.ip() + " failed");
              }
            }
          };
      try {
        all.add(CompletableFuture.runAsync(run, workers));
      } catch (UnavailableException full) {
        // The pool is full: this step runs on the job's own thread once the others are started.
        later.add(run);
      }
    }
    later.forEach(Runnable::run);
    all.forEach(CompletableFuture::join);
    return String.join("; ", failures);
  }

  private void runJobStep(ManagedCluster cluster, Step step) {
    String lease = nodeLease(step.ip());
    Leases.Outcome outcome = cluster.operationLeases().acquire(lease, step.id(), true);
    if (outcome instanceof Leases.Outcome.Held held) {
      String message = "node " + step.ip() + " is busy with request " + held.requestId();
      finish(cluster, step.id(), AdminRequest.ERROR, message);
      throw new IllegalStateException(message);
    }
    try {
      cluster.requests().update(step.id(), AdminRequest.RUNNING, null, "running");
      runStep(cluster, step);
    } finally {
      cluster.operationLeases().release(lease, step.id());
    }
  }

  /** Sleeps between two steps, waking up for a cancel; returns why the job must stop, or null. */
  private String pause(ManagedCluster cluster, UUID id, JobPlan plan) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(plan.sleepSeconds());
    while (System.nanoTime() - deadline < 0) {
      String interruption = interruption(cluster, id, plan);
      if (interruption != null) {
        return interruption;
      }
      // Measured again: the check above may have taken long (or the process was paused in it).
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left < 0) {
        break;
      }
      try {
        Thread.sleep(Math.min(1000, left + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return STOPPING;
      }
    }
    return null;
  }

  private static final String LOST = "\u0000lost";
  private static final String STOPPING = "\u0000stopping";

  /** Why the job must not go on (cancelled, lease lost), or null. */
  private String interruption(ManagedCluster cluster, UUID id, JobPlan plan) {
    if (!cluster.operationLeases().confirm(plan.lease(), id)) {
      return LOST;
    }
    if (workers.isShutdown()) {
      return STOPPING;
    }
    if (cancelled.contains(id)) {
      return "cancelled";
    }
    try {
      if (cluster.requests().cancelRequested(id)) {
        return "cancelled";
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot read request {} to check for a cancel: {}", id, e.toString());
    }
    return null;
  }

  private String skipRest(ManagedCluster cluster, List<Step> rest, String why) {
    if (why.equals(LOST)) {
      LOG.warn(
          "[{}] lost the lease of a job; another Ferry instance goes on with it", cluster.id());
      return null;
    }
    if (why.equals(STOPPING)) {
      // Not a failure: the job's lease is given back, and another instance resumes it.
      LOG.warn(
          "[{}] Ferry is stopping in the middle of a job; another Ferry instance resumes it",
          cluster.id());
      return null;
    }
    for (Step step : rest) {
      finish(cluster, step.id(), AdminRequest.ERROR, "not run: " + why.replace("not run: ", ""));
    }
    return why;
  }

  private static boolean isDone(ManagedCluster cluster, UUID stepId) {
    return cluster
        .requests()
        .get(stepId)
        .map(request -> AdminRequest.SUCCESS.equals(request.state()))
        .orElse(false);
  }

  // ---------------------------------------------------------------------------------------------
  // Requests: lookup, cancel, take-over

  /** The request and the cluster it lives on, looked up in every managed cluster. */
  public record Found(ManagedCluster cluster, AdminRequest request) {}

  public Found find(UUID id) {
    // The requests this instance runs first, from memory: their stores may be slow or down.
    for (ManagedCluster cluster : clusters.values()) {
      Optional<AdminRequest> held = cluster.requests().held(id);
      if (held.isPresent()) {
        return new Found(cluster, held.get());
      }
    }
    List<String> unreachable = new ArrayList<>();
    for (ManagedCluster cluster : clusters.values()) {
      try {
        Optional<AdminRequest> request = cluster.requests().get(id);
        if (request.isPresent()) {
          return new Found(cluster, request.get());
        }
      } catch (RuntimeException e) {
        unreachable.add(cluster.id() + " (" + e.getMessage() + ")");
      }
    }
    if (!unreachable.isEmpty()) {
      throw new UnavailableException(
          "request "
              + id
              + " not found, and cannot read the requests of "
              + String.join(", ", unreachable));
    }
    throw new NotFoundException("request_id: no request " + id);
  }

  /** Asks a job to stop before its next step, whichever Ferry instance runs it. */
  public void cancel(UUID id, String caller) {
    Found found = find(id);
    AdminRequest request = found.request();
    if (!request.isRunning()) {
      throw new ConflictException("request " + id + " has already ended (" + request.state() + ")");
    }
    if (request.children().isEmpty()) {
      throw new ConflictException(
          "request "
              + id
              + " ("
              + request.type()
              + ") is a single node operation, which runs to its end; only jobs of several steps"
              + " (bulk operations, rolling restarts, rebalances) can be cancelled");
    }
    found.cluster().requests().requestCancel(id);
    cancelled.add(id);
    audit(found.cluster(), caller, "cancel " + request.type(), id);
  }

  /**
   * Resumes jobs whose runner is gone: a running job whose lease nobody holds any more. Called
   * periodically on every instance; the lease decides which one resumes it.
   */
  public void takeOver() {
    for (ManagedCluster cluster : clusters.values()) {
      try {
        if (!cluster.requests().exists()) {
          continue;
        }
      } catch (RuntimeException e) {
        LOG.debug("take-over scan of {} skipped: {}", cluster.id(), e.toString());
        continue;
      }
      for (String type : RESUMABLE) {
        try {
          for (UUID id : cluster.requests().latest(type, TAKEOVER_SCAN_DEPTH)) {
            if (!running.contains(id)) {
              cluster
                  .requests()
                  .get(id)
                  .filter(AdminRequest::isRunning)
                  .ifPresent(job -> resume(cluster, job));
            }
          }
        } catch (RuntimeException e) {
          LOG.debug("take-over scan of {} {} failed: {}", cluster.id(), type, e.toString());
        }
      }
    }
  }

  private void resume(ManagedCluster cluster, AdminRequest job) {
    JobPlan plan;
    try {
      plan = OperationArguments.JSON.readValue(job.plan(), JobPlan.class);
    } catch (JsonProcessingException e) {
      finish(cluster, job.id(), AdminRequest.ERROR, "cannot resume: unreadable plan");
      return;
    }
    Leases.Outcome outcome;
    try {
      outcome = cluster.operationLeases().acquire(plan.lease(), job.id(), false);
    } catch (UnavailableException e) {
      return; // no quorum: nobody can take it over now
    }
    if (!(outcome instanceof Leases.Outcome.Acquired)) {
      return;
    }
    if (!running.add(job.id())) {
      return;
    }
    LOG.warn(
        "[{}] taking over {} {}: its Ferry instance stopped renewing its lease; resuming from the"
            + " first step not done",
        cluster.id(),
        plan.type(),
        job.id());
    workers.execute(() -> runJob(cluster, job.id(), plan));
  }

  /** Renews the leases this instance holds. */
  public void renewLeases() {
    for (ManagedCluster cluster : clusters.values()) {
      cluster.leases().renewAll();
      cluster.operationLeases().renewAll();
    }
  }

  static String nodeLease(String ip) {
    return "node/" + ip;
  }

  private static void audit(ManagedCluster cluster, String caller, String what, UUID id) {
    LOG.info("Admin request {} by {}: {} on cluster {}", id, caller, what, cluster.id());
  }

  /**
   * A request as recorded when it starts (or, for a job's step, when the job starts): not finished,
   * its state as its message, {@code plan} (a step or a job plan) stored as JSON.
   */
  private static AdminRequest newRequest(
      ManagedCluster cluster,
      UUID id,
      String type,
      String state,
      Instant started,
      UUID parent,
      List<UUID> children,
      Object plan,
      String caller) {
    return new AdminRequest(
        id,
        cluster.id(),
        type,
        state,
        started,
        null,
        state,
        parent,
        children,
        json(plan),
        false,
        caller);
  }

  private static String json(Object value) {
    try {
      return OperationArguments.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new time-based request id. */
  public static UUID newId() {
    return Uuids.timeBased();
  }
}
