package io.ferry.admin.requests;

import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.errors.UnavailableException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named leases ({@code node/127.0.0.1}, {@code rolling-restart}, {@code job/<id>}) taken in a
 * {@link LeaseTable}, so that across the fleet one Ferry instance at a time operates a node or runs
 * a job. A lease expires (TTL) unless its holder renews it; {@link #renewAll()} is called
 * periodically by the admin service.
 *
 * <p>When the lease table cannot reach a quorum, a lease can be neither taken nor lost by anyone:
 * an instance then falls back to its own in-process lock for a node operation, with a warning, so
 * that operating a small cluster stays possible, and a holder keeps what it holds.
 *
 * <p>A holder that was paused (SIGSTOP, a long GC) may come back after its lease expired and was
 * taken by another instance, still believing it holds it: before each step of a job, {@link
 * #confirm} asks the table, so such a holder stops instead of acting.
 *
 * <p>Thread policy: blocking; call from a worker pool. Thread-safe.
 */
public final class Leases {

  private static final Logger LOG = LoggerFactory.getLogger(Leases.class);

  /** What a request for a lease got. */
  public sealed interface Outcome {
    /** This instance holds the lease (fleet-wide, or only locally when no quorum was reachable). */
    record Acquired() implements Outcome {}

    /** Another request holds it. */
    record Held(String holder, UUID requestId) implements Outcome {}
  }

  private final LeaseTable table;
  private final String where;
  private final String instance;
  private final Duration ttl;
  private final LongSupplier nanoTime;
  // Leases this instance holds (or believes it holds), by name: the request holding each.
  private final Map<String, UUID> held = new ConcurrentHashMap<>();
  // Those of them taken fleet-wide (in the table), which renewAll renews, with when each was last
  // taken or renewed (nanoTime). A lease enters only once its row is written: a renewal racing the
  // insert would find no row and drop it.
  private final Map<String, Long> renewing = new ConcurrentHashMap<>();

  /**
   * @param where what the leases are about, for messages, e.g. {@code cluster origin}
   * @param nanoTime the clock that tells when a lease this instance holds may have expired
   */
  public Leases(
      LeaseTable table, String where, String instance, Duration ttl, LongSupplier nanoTime) {
    this.table = table;
    this.where = where;
    this.instance = instance;
    this.ttl = ttl;
    this.nanoTime = nanoTime;
  }

  public String instance() {
    return instance;
  }

  /**
   * Takes the lease {@code name} for {@code requestId}, unless another request holds it. Without a
   * quorum, the lease is taken locally only if {@code localFallback}, else refused: a fleet-wide
   * job (a rolling restart) must not start when it cannot be sure no other runs.
   *
   * @throws UnavailableException without a quorum, unless {@code localFallback}
   */
  public Outcome acquire(String name, UUID requestId, boolean localFallback) {
    UUID local = held.putIfAbsent(name, requestId);
    if (local != null && !local.equals(requestId)) {
      return new Outcome.Held(instance, local);
    }
    LeaseTable.Holder me = new LeaseTable.Holder(instance, requestId);
    try {
      LeaseTable.Holder current = table.insertIfAbsent(name, me, ttl);
      if (current == null || current.equals(me)) {
        renewing.put(name, nanoTime.getAsLong());
        return new Outcome.Acquired();
      }
      held.remove(name, requestId);
      return new Outcome.Held(current.instance(), current.requestId());
    } catch (UnavailableException e) {
      if (!localFallback) {
        held.remove(name, requestId);
        throw new UnavailableException(
            "cannot make sure no other Ferry instance runs "
                + name
                + " on "
                + where
                + " ("
                + e.getMessage()
                + "); are all nodes up?",
            e);
      }
      LOG.warn(
          "Cannot take the lease {} fleet-wide for {} ({}); request {} goes on under this"
              + " instance's own lock only, so another Ferry instance could act on the same node",
          name,
          where,
          e.getMessage(),
          requestId);
      return new Outcome.Acquired();
    }
  }

  /**
   * Takes the lease or throws naming who holds it.
   *
   * @param what the subject for the error message, e.g. {@code node 127.0.0.1}
   * @throws ConflictException when another request holds it
   * @throws UnavailableException without a quorum, unless {@code localFallback}
   */
  public void acquireOrConflict(String name, UUID requestId, String what, boolean localFallback) {
    Outcome outcome = acquire(name, requestId, localFallback);
    if (outcome instanceof Outcome.Held heldBy) {
      throw new ConflictException(
          what
              + " is busy with request "
              + heldBy.requestId()
              + (instance.equals(heldBy.holder()) ? "" : " (run by Ferry " + heldBy.holder() + ")")
              + "; wait for it to finish or cancel it");
    }
  }

  /** Whether this instance believes it holds the lease (it may have lost it unknowingly). */
  public boolean holds(String name, UUID requestId) {
    return requestId.equals(held.get(name));
  }

  /**
   * Whether this instance still holds the lease, asked of the table now (renewing it): the check a
   * job makes before each step, so that a holder paused past its TTL, whose lease another instance
   * took meanwhile, does not act. Without a quorum nobody can take the lease, so it still holds it
   * if its last renewal is younger than the TTL.
   */
  public boolean confirm(String name, UUID requestId) {
    if (!holds(name, requestId)) {
      return false;
    }
    Long renewed = renewing.get(name);
    if (renewed == null) {
      return true; // held under the local lock only
    }
    try {
      LeaseTable.Holder current =
          table.renew(name, new LeaseTable.Holder(instance, requestId), ttl);
      if (current == null) {
        renewing.replace(name, renewed, nanoTime.getAsLong());
        return true;
      }
      lost(name, requestId, current);
      return false;
    } catch (UnavailableException e) {
      if (nanoTime.getAsLong() - renewed < ttl.toNanos()) {
        return true;
      }
      LOG.warn(
          "Lease {} of request {} for {} was last renewed {} s ago, more than its TTL, and cannot"
              + " be renewed now ({}): it may be another instance's",
          name,
          requestId,
          where,
          Duration.ofNanos(nanoTime.getAsLong() - renewed).toSeconds(),
          e.getMessage());
      return false;
    }
  }

  /** Gives the lease back. */
  public void release(String name, UUID requestId) {
    if (!held.remove(name, requestId)) {
      return;
    }
    if (renewing.remove(name) == null) {
      return; // never taken fleet-wide, or lost
    }
    try {
      table.delete(name, instance);
    } catch (RuntimeException e) {
      LOG.debug("Lease {} not released ({}); it expires in {}", name, e.getMessage(), ttl);
    }
  }

  /** The request holding the lease across the fleet, or {@code null} if nobody does. */
  public UUID holder(String name) {
    LeaseTable.Holder holder = table.read(name);
    return holder == null ? null : holder.requestId();
  }

  /** Renews every lease this instance holds; one lost to another instance is dropped. */
  public void renewAll() {
    renewing.forEach(
        (name, renewed) -> {
          UUID requestId = held.get(name);
          if (requestId == null) {
            return;
          }
          try {
            LeaseTable.Holder current =
                table.renew(name, new LeaseTable.Holder(instance, requestId), ttl);
            if (current == null) {
              renewing.replace(name, renewed, nanoTime.getAsLong());
            } else {
              // Gone (released meanwhile, or expired while no quorum could renew it) or taken by
              // another instance: never taken again here, which could bring back a lease released
              // a moment ago. A job that loses its lease stops; the take-over scan resumes it.
              lost(name, requestId, current);
            }
          } catch (RuntimeException e) {
            // Without a quorum nobody else can take it either; keep it and try again later.
            LOG.debug("Lease {} not renewed: {}", name, e.toString());
          }
        });
  }

  private void lost(String name, UUID requestId, LeaseTable.Holder current) {
    if (!held.remove(name, requestId)) {
      return; // released meanwhile
    }
    renewing.remove(name);
    LOG.warn(
        "Ferry lost the lease {} of request {} for {}: {}",
        name,
        requestId,
        where,
        current.instance() == null ? "it expired" : "it is now held by " + current.instance());
  }
}
