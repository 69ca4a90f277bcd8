package io.ferry.admin;

import io.ferry.admin.errors.UnavailableException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A named pool of at most {@code size} daemon threads for blocking work (JMX, CQL, processes,
 * waits). Work beyond its size is refused at once, not queued, with an {@link UnavailableException}
 * that names the pool, its size and the setting that sizes it: a caller that asks too much learns
 * it in a 503 instead of waiting behind operations that run for minutes.
 *
 * <p>Thread-safe.
 */
public final class WorkerPool implements Executor, AutoCloseable {

  private final String name;
  private final int size;
  private final String setting;
  private final ThreadPoolExecutor threads;

  /**
   * @param name what the pool is for, in thread names and errors, e.g. {@code admin-request}
   * @param setting the setting that sizes it, for the error when it is full
   */
  public WorkerPool(String name, int size, String setting) {
    this.name = name;
    this.size = size;
    this.setting = setting;
    AtomicInteger count = new AtomicInteger();
    this.threads =
        new ThreadPoolExecutor(
            size,
            size,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "ferry-" + name + "-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    threads.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code task} on a thread of the pool.
   *
   * @throws UnavailableException when every thread is busy, or the pool is shut down
   */
  @Override
  public void execute(Runnable task) {
    try {
      threads.execute(task);
    } catch (RejectedExecutionException e) {
      if (threads.isShutdown()) {
        throw new UnavailableException("Ferry is stopping; try another instance", e);
      }
      throw new UnavailableException(
          "the "
              + name
              + " pool is full: all its "
              + size
              + " threads are busy (expected: fewer concurrent calls, or a larger "
              + setting
              + "); try again shortly",
          e);
    }
  }

  public boolean isShutdown() {
    return threads.isShutdown();
  }

  public String name() {
    return name;
  }

  public int size() {
    return size;
  }

  /** Interrupts the running tasks and refuses new ones. */
  @Override
  public void close() {
    threads.shutdownNow();
  }
}
