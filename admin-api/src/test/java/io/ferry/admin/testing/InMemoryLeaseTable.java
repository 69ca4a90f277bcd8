package io.ferry.admin.testing;

import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.requests.LeaseTable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LeaseTable} in memory, on a clock the test moves ({@link #advance}); {@link
 * #unavailable} makes it answer as a table without a quorum.
 */
public final class InMemoryLeaseTable implements LeaseTable {

  private record Row(Holder holder, long expiresAt) {}

  private final Map<String, Row> rows = new HashMap<>();
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private volatile boolean unavailable;

  /** The table's clock, in nanoseconds, for the Leases that use it. */
  public long nanoTime() {
    return now.get();
  }

  public void advance(Duration duration) {
    now.addAndGet(duration.toNanos());
  }

  public void unavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  /** Another instance takes the lease over, as if it had expired and been taken. */
  public synchronized void takeOver(String name, Holder holder, Duration ttl) {
    rows.put(name, new Row(holder, now.get() + ttl.toNanos()));
  }

  private void check() {
    if (unavailable) {
      throw new UnavailableException("no quorum (test)");
    }
  }

  private Row live(String name) {
    Row row = rows.get(name);
    if (row != null && row.expiresAt() <= now.get()) {
      rows.remove(name);
      return null;
    }
    return row;
  }

  @Override
  public synchronized Holder insertIfAbsent(String name, Holder holder, Duration ttl) {
    check();
    Row row = live(name);
    if (row != null) {
      return row.holder();
    }
    rows.put(name, new Row(holder, now.get() + ttl.toNanos()));
    return null;
  }

  @Override
  public synchronized Holder renew(String name, Holder holder, Duration ttl) {
    check();
    Row row = live(name);
    if (row == null) {
      return new Holder(null, null);
    }
    if (!row.holder().equals(holder)) {
      return row.holder();
    }
    rows.put(name, new Row(holder, now.get() + ttl.toNanos()));
    return null;
  }

  @Override
  public synchronized void delete(String name, String instance) {
    check();
    Row row = live(name);
    if (row != null && instance.equals(row.holder().instance())) {
      rows.remove(name);
    }
  }

  @Override
  public synchronized Holder read(String name) {
    check();
    Row row = live(name);
    return row == null ? null : row.holder();
  }
}
