package io.ferry.admin.requests;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of one cluster as this instance sees them: those it started or runs are kept here,
 * in memory, and written through to the durable log (a {@code ferry} keyspace) whenever it can take
 * them. A write the log refuses (its cluster restarts, drains, has no quorum) is kept and tried
 * again by {@link #flush()}, in the order the requests changed, until it is taken: a running job
 * never waits for its store, and never loses what it recorded while this instance lives. Reads of a
 * request this instance holds answer from memory first, so the instance running a job can always
 * say how it stands.
 *
 * <p>A request leaves memory once it has ended and its last state is in the log.
 *
 * <p>Thread-safe.
 */
public final class WriteThroughRequests implements RequestLog {

  private static final Logger LOG = LoggerFactory.getLogger(WriteThroughRequests.class);

  private final String clusterId;
  private final RequestLog durable;
  private final Map<UUID, AdminRequest> held = new ConcurrentHashMap<>();
  // Requests whose state in memory is newer than in the log, in the order they changed.
  private final Set<UUID> unwritten = new LinkedHashSet<>(); // guarded by itself
  // One writer at a time; a change made while another thread writes is left to it (or the next
  // periodic flush) instead of waiting for the log.
  private final ReentrantLock writing = new ReentrantLock();

  public WriteThroughRequests(String clusterId, RequestLog durable) {
    this.clusterId = clusterId;
    this.durable = durable;
  }

  @Override
  public void insert(AdminRequest request) {
    held.put(request.id(), request);
    written(request.id());
  }

  @Override
  public Optional<AdminRequest> held(UUID id) {
    return Optional.ofNullable(held.get(id));
  }

  @Override
  public Optional<AdminRequest> get(UUID id) {
    Optional<AdminRequest> request = held(id);
    return request.isPresent() ? request : durable.get(id);
  }

  @Override
  public void update(UUID id, String state, Instant finished, String message) {
    AdminRequest request =
        held.computeIfPresent(
            id,
            (ignored, current) ->
                new AdminRequest(
                    current.id(),
                    current.clusterId(),
                    current.type(),
                    state,
                    current.started(),
                    finished,
                    message,
                    current.parent(),
                    current.children(),
                    current.plan(),
                    current.cancelRequested(),
                    current.requestedBy()));
    if (request == null) {
      // Not one of ours (a step of a job another instance started, resumed here): read it once.
      Optional<AdminRequest> stored = durable.get(id);
      if (stored.isEmpty()) {
        durable.update(id, state, finished, message);
        return;
      }
      held.putIfAbsent(id, stored.get());
      update(id, state, finished, message);
      return;
    }
    written(id);
  }

  @Override
  public void requestCancel(UUID id) {
    durable.requestCancel(id);
  }

  @Override
  public boolean cancelRequested(UUID id) {
    return durable.cancelRequested(id);
  }

  @Override
  public List<UUID> latest(String type, int limit) {
    return durable.latest(type, limit);
  }

  @Override
  public boolean exists() {
    return !held.isEmpty() || durable.exists();
  }

  /** How many requests have a state the log has not taken yet. */
  public int unwrittenCount() {
    synchronized (unwritten) {
      return unwritten.size();
    }
  }

  /** Marks a request changed, and writes what is unwritten now. */
  private void written(UUID id) {
    synchronized (unwritten) {
      unwritten.add(id);
    }
    flush();
  }

  /**
   * Writes the requests whose state the log has not taken yet, oldest change first; stops at the
   * first the log refuses, to try again at the next call. Called after every change and
   * periodically.
   */
  public void flush() {
    if (!writing.tryLock()) {
      return;
    }
    try {
      UUID id;
      while ((id = oldestUnwritten()) != null) {
        AdminRequest request = held.get(id);
        if (request != null) {
          try {
            durable.insert(request);
          } catch (RuntimeException e) {
            LOG.debug(
                "[{}] request {} not written yet ({} waiting): {}",
                clusterId,
                id,
                unwrittenCount(),
                e.toString());
            return;
          }
        }
        synchronized (unwritten) {
          if (held.get(id) == request) {
            // Not changed while it was written.
            unwritten.remove(id);
            if (request != null && !request.isRunning() && !request.isPending()) {
              held.remove(id, request);
            }
          }
        }
      }
    } finally {
      writing.unlock();
    }
  }

  private UUID oldestUnwritten() {
    synchronized (unwritten) {
      return unwritten.isEmpty() ? null : unwritten.iterator().next();
    }
  }
}
