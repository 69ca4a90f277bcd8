package io.ferry.benchmarks.load;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives one workload through a {@link BenchClient} for a warm-up and a measured period, in one of
 * two modes:
 *
 * <ul>
 *   <li><b>fixed concurrency</b> (closed loop): a fixed number of requests always in flight, each
 *       completion sending the next one. Shows the peak throughput.
 *   <li><b>fixed rate</b> (open loop): requests sent on a schedule whatever the answers do, each
 *       latency measured from the time it was due, not from when it was sent, so that a stall shows
 *       in the percentiles instead of being hidden by the requests it delayed (coordinated
 *       omission).
 * </ul>
 */
final class LoadRun {

  /** A fixed-rate run stops sending beyond this many requests in flight, and counts them. */
  private static final int MAX_OUTSTANDING = 20_000;

  /** How a run loads the system. */
  record Mode(int concurrency, int rate) {
    static Mode concurrency(int concurrency) {
      return new Mode(concurrency, 0);
    }

    static Mode rate(int requestsPerSecond) {
      return new Mode(0, requestsPerSecond);
    }

    boolean fixedRate() {
      return rate > 0;
    }

    String label() {
      return fixedRate() ? rate + " req/s" : concurrency + " in flight";
    }
  }

  /** The latencies and counts of the measured period. */
  record Result(Histogram latencies, long errors, String firstError, double seconds) {}

  private final BenchClient client;
  private final Workload workload;
  private final RowSize size;
  private final ByteBuffer value;
  private final String valueHex;
  private final Recorder recorder = new Recorder(3);
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Executor retries = ForkJoinPool.commonPool();

  LoadRun(BenchClient client, Workload workload, RowSize size) {
    this.client = client;
    this.workload = workload;
    this.size = size;
    this.value = BenchClient.value(size.valueBytes());
    this.valueHex = BenchClient.hex(value);
  }

  /**
   * Warms up, then measures. {@code onMeasureStart} and {@code onMeasureEnd} run exactly at the
   * edges of the measured period (to read process statistics).
   */
  Result run(
      Mode mode,
      Duration warmup,
      Duration measure,
      Runnable onMeasureStart,
      Runnable onMeasureEnd) {
    Thread sender = null;
    if (mode.fixedRate()) {
      sender = new Thread(() -> sendAtRate(mode.rate()), "fixed-rate-sender");
      sender.start();
    } else {
      for (int i = 0; i < mode.concurrency(); i++) {
        next();
      }
    }
    sleep(warmup);
    recorder.reset();
    errors.reset();
    firstError.set(null);
    onMeasureStart.run();
    long start = System.nanoTime();
    sleep(measure);
    Histogram latencies = recorder.getIntervalHistogram();
    long failed = errors.sum();
    double seconds = (System.nanoTime() - start) / 1e9;
    onMeasureEnd.run();
    running.set(false);
    if (sender != null) {
      try {
        sender.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    return new Result(latencies, failed, firstError.get(), seconds);
  }

  /** Closed loop: one request, whose completion sends the next. */
  private void next() {
    if (!running.get()) {
      return;
    }
    inFlight.incrementAndGet();
    long start = System.nanoTime();
    client
        .request(workload, size, value, valueHex)
        .whenComplete(
            (result, failure) -> {
              inFlight.decrementAndGet();
              complete(start, failure);
              if (failure == null) {
                next();
              } else {
                // a failure may complete on the calling thread: no unbounded recursion
                retries.execute(this::next);
              }
            });
  }

  private void sendAtRate(int rate) {
    long period = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (long i = 0; running.get(); i++) {
      long due = start + i * period;
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      if (inFlight.get() >= MAX_OUTSTANDING) {
        errors.increment();
        firstError.compareAndSet(null, "more than " + MAX_OUTSTANDING + " requests in flight");
        continue;
      }
      inFlight.incrementAndGet();
      client
          .request(workload, size, value, valueHex)
          .whenComplete(
              (result, failure) -> {
                inFlight.decrementAndGet();
                complete(due, failure);
              });
    }
  }

  private void complete(long since, Throwable failure) {
    if (failure == null) {
      recorder.recordValue(System.nanoTime() - since);
      return;
    }
    errors.increment();
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    firstError.compareAndSet(null, String.valueOf(cause));
  }

  static Measurement measure(
      String backend,
      String scenario,
      Workload workload,
      String rowSize,
      int round,
      Mode mode,
      Result result,
      Supplier<Double> hopCpuSeconds,
      Long hopRss,
      double clientCpuSeconds) {
    Histogram latencies = result.latencies();
    long requests = latencies.getTotalCount();
    Double hopCpu =
        hopCpuSeconds == null || requests == 0 ? null : hopCpuSeconds.get() * 1e6 / requests;
    return new Measurement(
        backend,
        scenario,
        workload.label(),
        rowSize,
        round,
        mode.label(),
        requests,
        result.errors(),
        result.firstError(),
        result.seconds(),
        requests / result.seconds(),
        latencies.getValueAtPercentile(50) / 1e3,
        latencies.getValueAtPercentile(99) / 1e3,
        latencies.getValueAtPercentile(99.9) / 1e3,
        latencies.getMaxValue() / 1e3,
        hopCpu,
        hopRss,
        requests == 0 ? 0 : clientCpuSeconds * 1e6 / requests);
  }

  /** Sleeps; an interrupt ends the benchmark. */
  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
