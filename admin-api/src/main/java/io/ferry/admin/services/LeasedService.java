package io.ferry.admin.services;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.requests.Leases;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background service of one cluster that runs on one Ferry instance of the fleet at a time: every
 * instance runs this loop; while the service is wanted (switched on), each tries to take the
 * service's lease, and the holder does the work, one {@link #step(Object)} at a time, resuming from
 * what the cluster's {@code ferry} tables say. When the holder dies its lease expires and another
 * instance takes over; when it loses the lease it stops stepping.
 *
 * <p>Thread policy: its own daemon thread; {@link #step(Object)} may block.
 *
 * @param <W> what the service is switched on for, as {@link #wanted()} reads it
 */
public abstract class LeasedService<W> implements AutoCloseable {

  private static final Duration QUIET_LOG = Duration.ofMinutes(1);

  protected final Logger log = LoggerFactory.getLogger(getClass());
  protected final ManagedCluster cluster;
  private final String leaseName;
  private final Duration idle;
  private final UUID holderId = Uuids.timeBased();
  private final Thread thread;
  private volatile boolean closed;
  private boolean holding;
  private long lastProblemLog;

  /**
   * @param idle how long the loop waits when there is nothing to do (or the lease is elsewhere)
   */
  protected LeasedService(ManagedCluster cluster, String leaseName, Duration idle) {
    this.cluster = cluster;
    this.leaseName = leaseName;
    this.idle = idle;
    this.thread = new Thread(this::loop, "ferry-" + leaseName + "-" + cluster.id());
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /**
   * What the service is switched on for, read from the cluster (may block), or {@code null} while
   * it is off.
   */
  protected abstract W wanted() throws Exception;

  /**
   * Does one unit of work under the lease.
   *
   * @param wanted what {@link #wanted()} has just read, so the step need not read it again
   * @return whether there was work; the loop waits {@code idle} before the next step when not
   */
  protected abstract boolean step(W wanted) throws Exception;

  /** Whether this instance holds the service's lease right now. */
  protected boolean holding() {
    return cluster.leases().holds(leaseName, holderId);
  }

  private void loop() {
    while (!closed) {
      boolean worked = false;
      try {
        W wanted = cluster.store().exists() ? wanted() : null;
        if (wanted == null) {
          release();
        } else if (acquire()) {
          worked = step(wanted);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        problem(e);
      }
      if (!worked && !closed) {
        try {
          Thread.sleep(idle.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private boolean acquire() {
    if (holding && holding()) {
      return true;
    }
    if (holding) {
      holding = false;
      log.warn(
          "[{}] this instance lost the {} lease; another instance goes on",
          cluster.id(),
          leaseName);
    }
    try {
      if (cluster.leases().acquire(leaseName, holderId, false) instanceof Leases.Outcome.Acquired) {
        holding = true;
        log.info("[{}] this instance runs the {} service now", cluster.id(), leaseName);
        return true;
      }
    } catch (UnavailableException e) {
      // No quorum for the lease table: nobody may run it now.
      problem(e);
    }
    return false;
  }

  private void release() {
    if (holding) {
      holding = false;
      cluster.leases().release(leaseName, holderId);
      log.info("[{}] the {} service is off; lease released", cluster.id(), leaseName);
    }
  }

  /** Logs a failure at WARN at most once a minute (at DEBUG otherwise): it repeats every step. */
  protected void problem(Exception e) {
    long now = System.nanoTime();
    if (lastProblemLog == 0 || now - lastProblemLog > QUIET_LOG.toNanos()) {
      lastProblemLog = now;
      log.warn("[{}] {} service: {}", cluster.id(), leaseName, e.toString());
    } else {
      log.debug("[{}] {} service: {}", cluster.id(), leaseName, e.toString());
    }
  }

  /** Stops the loop; the lease expires and another instance takes over. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
