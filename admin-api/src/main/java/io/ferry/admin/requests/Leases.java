package io.ferry.admin.requests;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.errors.UnavailableException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named leases of one cluster ({@code node/127.0.0.1}, {@code rolling-restart}, {@code job/<id>})
 * taken with lightweight transactions in {@code ferry.leases}, so that across the fleet one Ferry
 * instance at a time operates a node or runs a job. A lease expires (TTL) unless its holder renews
 * it; {@link #renewAll()} is called periodically by the admin service.
 *
 * <p>When the lease table cannot reach a quorum (a node of a two-node cluster is down, as during
 * its own restart), a lease can be neither taken nor lost by anyone: an instance then falls back to
 * its own in-process lock, with a warning, so that operating a small cluster stays possible, and a
 * holder keeps what it holds.
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

  private final RequestStore store;
  private final String instance;
  private final Duration ttl;
  // Leases this instance holds (or believes it holds), by name: the request holding each.
  private final Map<String, UUID> held = new ConcurrentHashMap<>();
  // Those of them taken fleet-wide (in the table), which renewAll renews. A lease enters only once
  // its row is written: a renewal racing the insert would find no row and drop it.
  private final Map<String, UUID> renewing = new ConcurrentHashMap<>();
  private final Supplier<Statements> statements;

  private record Statements(
      PreparedStatement acquire,
      PreparedStatement renew,
      PreparedStatement release,
      PreparedStatement read) {}

  public Leases(RequestStore store, String instance, Duration ttl) {
    this.store = store;
    this.instance = instance;
    this.ttl = ttl;
    this.statements = store.onFirstUse(Leases::prepare);
  }

  public String instance() {
    return instance;
  }

  private static Statements prepare(CqlSession session) {
    String table = RequestStore.KEYSPACE + ".leases";
    return new Statements(
        session.prepare(
            "INSERT INTO "
                + table
                + " (name, holder, request_id) VALUES (?, ?, ?) IF NOT EXISTS USING TTL ?"),
        session.prepare(
            "UPDATE "
                + table
                + " USING TTL ? SET holder = ?, request_id = ? WHERE name = ? IF holder = ?"
                + " AND request_id = ?"),
        session.prepare("DELETE FROM " + table + " WHERE name = ? IF holder = ?"),
        session.prepare("SELECT holder, request_id FROM " + table + " WHERE name = ?"));
  }

  /**
   * Takes the lease {@code name} for {@code requestId}, unless another request holds it. Without a
   * quorum, the lease is taken locally only if {@code localFallback}, else refused with 503: a
   * fleet-wide job (a rolling restart) must not start when it cannot be sure no other runs.
   */
  public Outcome acquire(String name, UUID requestId, boolean localFallback) {
    UUID local = held.putIfAbsent(name, requestId);
    if (local != null && !local.equals(requestId)) {
      return new Outcome.Held(instance, local);
    }
    try {
      Statements s = statements.get();
      ResultSet result =
          store
              .session()
              .execute(s.acquire().bind(name, instance, requestId, (int) ttl.toSeconds()));
      if (result.wasApplied()) {
        renewing.put(name, requestId);
        return new Outcome.Acquired();
      }
      Row current = result.one();
      String holder = current.getString("holder");
      UUID holding = current.getUuid("request_id");
      if (instance.equals(holder) && requestId.equals(holding)) {
        renewing.put(name, requestId);
        return new Outcome.Acquired();
      }
      held.remove(name, requestId);
      return new Outcome.Held(holder, holding);
    } catch (DriverException e) {
      if (!localFallback) {
        held.remove(name, requestId);
        throw new UnavailableException(
            "cannot make sure no other Ferry instance runs "
                + name
                + " on cluster "
                + store.cluster().clusterId()
                + ": the lease table has no quorum ("
                + e.getMessage()
                + "); are all nodes up?");
      }
      LOG.warn(
          "Cannot take the lease {} fleet-wide on cluster {} ({}); request {} goes on under this"
              + " instance's own lock only, so another Ferry instance could act on the same node",
          name,
          store.cluster().clusterId(),
          e.getMessage(),
          requestId);
      return new Outcome.Acquired();
    }
  }

  /**
   * Takes the lease or throws 409 naming who holds it (503 without a quorum, unless {@code
   * localFallback}).
   *
   * @param what the subject for the error message, e.g. {@code node 127.0.0.1}
   */
  public void acquireOrConflict(String name, UUID requestId, String what, boolean localFallback) {
    Outcome outcome = acquire(name, requestId, localFallback);
    if (outcome instanceof Outcome.Held heldBy) {
      throw new ConflictException(
          what
              + " is busy with request "
              + heldBy.requestId()
              + (heldBy.holder().equals(instance) ? "" : " (run by Ferry " + heldBy.holder() + ")")
              + "; wait for it to finish or cancel it");
    }
  }

  /** Whether this instance still holds the lease (it may have lost it to another instance). */
  public boolean holds(String name, UUID requestId) {
    return requestId.equals(held.get(name));
  }

  /** Gives the lease back. */
  public void release(String name, UUID requestId) {
    held.remove(name, requestId);
    if (!renewing.remove(name, requestId)) {
      return; // never taken fleet-wide, or lost
    }
    try {
      store.session().execute(statements.get().release().bind(name, instance));
    } catch (RuntimeException e) {
      LOG.debug("Lease {} not released ({}); it expires in {}", name, e.getMessage(), ttl);
    }
  }

  /** The request holding the lease across the fleet, or {@code null} if nobody does. */
  public UUID holder(String name) {
    Row row = store.session().execute(statements.get().read().bind(name)).one();
    return row == null ? null : row.getUuid("request_id");
  }

  /** Renews every lease this instance holds; one lost to another instance is dropped. */
  public void renewAll() {
    if (renewing.isEmpty()) {
      return;
    }
    Statements s = statements.get();
    renewing.forEach(
        (name, requestId) -> {
          try {
            ResultSet result =
                store
                    .session()
                    .execute(
                        s.renew()
                            .bind(
                                (int) ttl.toSeconds(),
                                instance,
                                requestId,
                                name,
                                instance,
                                requestId));
            if (!result.wasApplied()) {
              Row current = result.one();
              // A conditional update of a row that expired answers [applied] alone.
              String holder =
                  current.getColumnDefinitions().contains("holder")
                      ? current.getString("holder")
                      : null;
              // Gone (released meanwhile, or expired while no quorum could renew it) or taken by
              // another instance: never taken again here, which could bring back a lease released
              // a moment ago. A job that loses its lease stops; the take-over scan resumes it.
              lost(name, requestId, holder == null ? "it expired" : "it is now held by " + holder);
            }
          } catch (RuntimeException e) {
            // Without a quorum nobody else can take it either; keep it and try again later.
            LOG.debug("Lease {} not renewed: {}", name, e.toString());
          }
        });
  }

  private void lost(String name, UUID requestId, String why) {
    if (!renewing.remove(name, requestId)) {
      return; // released meanwhile
    }
    held.remove(name, requestId);
    LOG.warn(
        "Ferry lost the lease {} of request {} on cluster {}: {}",
        name,
        requestId,
        store.cluster().clusterId(),
        why);
  }
}
