package io.ferry.testing.workload;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * A steady load of prepared writes and reads through one driver session, as an application sends it
 * while a fault happens: each writer thread inserts a new key at a fixed pace, each reader reads a
 * key written before. Every write's outcome is recorded with its key: acknowledged, failed with an
 * error, or hung, when its answer (of either kind) came later than the deadline the test gives
 * (Ferry's request timeout plus a margin) or never.
 *
 * <p>Writes are not idempotent (the driver's default), so the driver retries them only where that
 * is safe whatever happened (UNPREPARED, a request it could not send), never after an error or a
 * timeout: the outcome recorded is Ferry's answer.
 *
 * <p>Thread-safe.
 */
public final class Workload implements AutoCloseable {

  /**
   * @param writers threads inserting keys
   * @param readers threads reading keys
   * @param pace the time between two requests of one thread (a fast failure does not make a thread
   *     go faster)
   * @param answerDeadline a request answered later than this counts as hung
   */
  public record Settings(int writers, int readers, Duration pace, Duration answerDeadline) {}

  private static final Duration STOP_WAIT = Duration.ofSeconds(60);
  private static final Pattern NOISE =
      Pattern.compile("(hostId=[0-9a-f-]+|hashCode=[0-9a-f]+|[0-9a-f]{8}-[0-9a-f-]{27})");

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement select;
  private final Settings settings;
  private final long firstKey;
  private final AtomicLong nextKey;
  private final List<Thread> threads = new ArrayList<>();
  private final Set<Long> acknowledgedKeys = ConcurrentHashMap.newKeySet();
  private final Map<Long, Long> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Long> errors = new ConcurrentHashMap<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong hung = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong readsFailed = new AtomicLong();
  private final AtomicLong readsHung = new AtomicLong();
  private final AtomicLong slowestAnswerNanos = new AtomicLong();
  private final long startNanos = System.nanoTime();
  private volatile boolean running = true;
  // The start of the latest acknowledged write, and when its acknowledgement came.
  private long latestAcknowledgedStart = Long.MIN_VALUE;
  private long latestAcknowledgementAt;

  private Workload(CqlSession session, String table, long firstKey, Settings settings) {
    this.session = session;
    this.insert = session.prepare("INSERT INTO " + table + " (k, v) VALUES (?, ?)");
    this.select = session.prepare("SELECT v FROM " + table + " WHERE k = ?");
    this.settings = settings;
    this.firstKey = firstKey;
    this.nextKey = new AtomicLong(firstKey);
  }

  /** The table a workload writes: {@code k bigint PRIMARY KEY, v text}. */
  public static String createTable(String table) {
    return "CREATE TABLE IF NOT EXISTS " + table + " (k bigint PRIMARY KEY, v text)";
  }

  /**
   * Prepares the statements (through {@code session}, so Ferry must be up) and starts the threads.
   *
   * @param firstKey the first key written; keys then increase by one per write
   */
  public static Workload start(CqlSession session, String table, long firstKey, Settings settings) {
    Workload workload = new Workload(session, table, firstKey, settings);
    for (int i = 0; i < settings.writers(); i++) {
      workload.startThread("workload-writer-" + i, workload::write);
    }
    for (int i = 0; i < settings.readers(); i++) {
      workload.startThread("workload-reader-" + i, workload::read);
    }
    return workload;
  }

  private void startThread(String name, Runnable request) {
    Thread thread =
        new Thread(
            () -> {
              long paceNanos = settings.pace().toNanos();
              long next = System.nanoTime();
              while (running) {
                request.run();
                next = Math.max(next + paceNanos, System.nanoTime());
                LockSupport.parkNanos(next - System.nanoTime());
              }
            },
            name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private void write() {
    long key = nextKey.getAndIncrement();
    long start = System.nanoTime();
    inFlight.put(key, start);
    try {
      session.execute(insert.bind(key, "written at " + start));
      long answeredAt = System.nanoTime();
      acknowledgedKeys.add(key);
      count(answeredAt - start, acknowledged, hung);
      synchronized (this) {
        if (start > latestAcknowledgedStart) {
          latestAcknowledgedStart = start;
          latestAcknowledgementAt = answeredAt;
        }
      }
    } catch (DriverTimeoutException e) {
      // The driver gave up waiting: Ferry answered nothing within the driver's own timeout.
      hung.incrementAndGet();
      errors.merge(describe(e), 1L, Long::sum);
    } catch (RuntimeException e) {
      count(System.nanoTime() - start, failed, hung);
      errors.merge(describe(e), 1L, Long::sum);
    } finally {
      inFlight.remove(key);
    }
  }

  private void read() {
    long written = nextKey.get();
    if (written == firstKey) {
      return;
    }
    long key = ThreadLocalRandom.current().nextLong(firstKey, written);
    long start = System.nanoTime();
    try {
      session.execute(select.bind(key));
      count(System.nanoTime() - start, reads, readsHung);
    } catch (DriverTimeoutException e) {
      readsHung.incrementAndGet();
    } catch (RuntimeException e) {
      count(System.nanoTime() - start, readsFailed, readsHung);
    }
  }

  private void count(long nanos, AtomicLong inTime, AtomicLong late) {
    slowestAnswerNanos.accumulateAndGet(nanos, Math::max);
    (nanos > settings.answerDeadline().toNanos() ? late : inTime).incrementAndGet();
  }

  private static String describe(Throwable error) {
    String message = String.valueOf(error.getMessage()).lines().findFirst().orElse("");
    message = NOISE.matcher(message).replaceAll("…");
    if (message.length() > 200) {
      message = message.substring(0, 200) + "…";
    }
    return error.getClass().getSimpleName() + ": " + message;
  }

  /**
   * Waits until a write that started at or after {@code sinceNanos} ({@link System#nanoTime()}) is
   * acknowledged.
   *
   * @return how long after {@code sinceNanos} that acknowledgement came, or {@code null} if none
   *     came within {@code timeout}
   */
  public Duration awaitAcknowledgedWriteStartedAfter(long sinceNanos, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      synchronized (this) {
        if (latestAcknowledgedStart >= sinceNanos) {
          return Duration.ofNanos(Math.max(0, latestAcknowledgementAt - sinceNanos));
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return null;
  }

  /**
   * Stops the threads, waiting for the requests they have in flight; a write still unanswered after
   * the wait counts as hung.
   */
  public WorkloadResult stop() {
    running = false;
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    for (Thread thread : threads) {
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long unanswered = inFlight.size();
    return new WorkloadResult(
        nextKey.get() - firstKey,
        acknowledged.get(),
        failed.get(),
        hung.get() + unanswered,
        Set.copyOf(acknowledgedKeys),
        Map.copyOf(errors),
        reads.get(),
        readsFailed.get(),
        readsHung.get(),
        Duration.ofNanos(slowestAnswerNanos.get()),
        Duration.ofNanos(System.nanoTime() - startNanos));
  }

  @Override
  public void close() {
    if (running) {
      stop();
    }
  }
}
