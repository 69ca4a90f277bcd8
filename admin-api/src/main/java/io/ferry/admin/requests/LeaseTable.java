package io.ferry.admin.requests;

import java.time.Duration;
import java.util.UUID;

/**
 * Where leases are taken, fleet-wide: each operation is atomic across the fleet (a lightweight
 * transaction in {@link CqlLeaseTable}). A lease not renewed within its TTL is gone.
 *
 * <p>Thread policy: blocking; worker pool. Implementations are thread-safe.
 *
 * @throws io.ferry.admin.errors.UnavailableException from any method when the table cannot decide
 *     (no quorum): then nobody can take or lose a lease
 */
public interface LeaseTable {

  /** Who holds a lease: an instance, for a request. */
  record Holder(String instance, UUID requestId) {}

  /**
   * Takes the lease unless someone holds it.
   *
   * @return {@code null} when taken, else who holds it
   */
  Holder insertIfAbsent(String name, Holder holder, Duration ttl);

  /**
   * Renews the lease for {@code ttl} if {@code holder} still holds it.
   *
   * @return {@code null} when renewed, else who holds it now ({@code null} fields when nobody)
   */
  Holder renew(String name, Holder holder, Duration ttl);

  /** Gives the lease back if {@code instance} holds it. */
  void delete(String name, String instance);

  /** Who holds the lease, or {@code null}. */
  Holder read(String name);
}
