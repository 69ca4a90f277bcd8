package io.ferry.proxy.partialwrites;

import io.ferry.proxy.common.ClusterRole;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells operators about writes that failed on one cluster while the other applied them, or may have
 * (it had not answered when Ferry gave up on the request). The client got an error for each, but
 * the row may now be on one cluster only, and stays so until it is copied again.
 *
 * <p>What is logged is what an operator can act on without Ferry keeping the writes: the table, the
 * cluster that failed and why, how many writes, and when they reached Ferry, as a window of Ferry's
 * clock. With write timestamps assigned by Ferry (the default) or by drivers with synchronized
 * clocks, that window is also the rows' write-time window, which tools that copy rows between
 * clusters can filter on. The partition key and other values of a write are never logged: they are
 * the application's data, and bound values stay out of logs at INFO and above.
 *
 * <p>One WARN line per table and failed cluster at the first failure, then at most one per 10 s
 * that sums up the failures since the previous line, so that an outage under load costs a few lines
 * rather than one per write. {@link #flush()} writes the sums that are due (Ferry calls it every
 * second), {@link #flushAll()} every sum left (at shutdown).
 *
 * <p>Thread-safe: every client connection's event loop reports here.
 */
public final class PartialWrites {

  /** The shortest time between two lines about one table and cluster. */
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(PartialWrites.class);

  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final Consumer<String> log;
  private final Map<Key, Summary> summaries = new ConcurrentHashMap<>();

  public PartialWrites() {
    this(LOG_INTERVAL, System::nanoTime, LOG::warn);
  }

  PartialWrites(Duration interval, LongSupplier nanoClock, Consumer<String> log) {
    this.intervalNanos = interval.toNanos();
    this.nanoClock = nanoClock;
    this.log = log;
  }

  /**
   * A write to {@code table} failed on {@code failed} and not on the other cluster.
   *
   * @param table {@code keyspace.table}, or a description when the table is not known
   * @param arrivedAtMillis when the write reached Ferry, in milliseconds since the epoch
   * @param reason why it failed, with the node: {@code 10.0.1.1:9042: no answer within 2000 ms}
   */
  public void record(ClusterRole failed, String table, long arrivedAtMillis, String reason) {
    Summary summary = summaries.computeIfAbsent(new Key(failed, table), Summary::new);
    String line;
    synchronized (summary) {
      summary.add(arrivedAtMillis, reason);
      line = summary.takeIfDue(nanoClock.getAsLong(), intervalNanos);
    }
    if (line != null) {
      log.accept(line);
    }
  }

  /** Logs the sums whose interval has passed. */
  public void flush() {
    long now = nanoClock.getAsLong();
    for (Summary summary : summaries.values()) {
      String line;
      synchronized (summary) {
        line = summary.takeIfDue(now, intervalNanos);
      }
      if (line != null) {
        log.accept(line);
      }
    }
  }

  /** Logs every sum not logged yet, interval or not. */
  public void flushAll() {
    for (Summary summary : summaries.values()) {
      String line;
      synchronized (summary) {
        line = summary.take(nanoClock.getAsLong());
      }
      if (line != null) {
        log.accept(line);
      }
    }
  }

  private record Key(ClusterRole failed, String table) {}

  /** The failures of one table on one cluster since the last line about them. */
  private static final class Summary {
    private final Key key;
    private long count;
    private long firstMillis;
    private long lastMillis;
    private String lastReason;
    private boolean logged;
    private long loggedAtNanos;

    Summary(Key key) {
      this.key = key;
    }

    void add(long arrivedAtMillis, String reason) {
      if (count == 0) {
        firstMillis = arrivedAtMillis;
        lastMillis = arrivedAtMillis;
      } else {
        firstMillis = Math.min(firstMillis, arrivedAtMillis);
        lastMillis = Math.max(lastMillis, arrivedAtMillis);
      }
      count++;
      lastReason = reason;
    }

    String takeIfDue(long nowNanos, long intervalNanos) {
      return logged && nowNanos - loggedAtNanos < intervalNanos ? null : take(nowNanos);
    }

    String take(long nowNanos) {
      if (count == 0) {
        return null;
      }
      ClusterRole failed = key.failed();
      ClusterRole applied = failed.other();
      String line =
          count
              + (count == 1 ? " write to " : " writes to ")
              + key.table()
              + " failed on "
              + failed.id()
              + " only, received by Ferry between "
              + Instant.ofEpochMilli(firstMillis)
              + " and "
              + Instant.ofEpochMilli(lastMillis)
              + " (last error: "
              + lastReason
              + "): "
              + applied.id()
              + " applied "
              + (count == 1 ? "it" : "them")
              + " or may have, so "
              + failed.id()
              + " may lack these rows; copy them from "
              + applied.id()
              + " to "
              + failed.id()
              + " (for example by write time)";
      count = 0;
      logged = true;
      loggedAtNanos = nowNanos;
      return line;
    }
  }
}
