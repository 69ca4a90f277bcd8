package io.ferry.admin.repair;

import java.time.Instant;
import java.util.List;

/**
 * The repair service's state: whether it is on, its current cycle and the cycle's subranges ({@link
 * RepairStore} keeps them in the cluster's {@code ferry} keyspace).
 *
 * <p>Thread policy: may block; the service's thread or a worker. Implementations are thread-safe.
 */
interface RepairLog {

  /** The service's row. */
  RepairStore.ServiceState service();

  void setEnabled(boolean enabled, long timeToCompletion);

  /**
   * Starts cycle {@code cycle} over the ring {@code ring} (its fingerprint), with its subranges.
   */
  void startCycle(int cycle, Instant started, String ring, List<RepairSegment> segments);

  void save(RepairSegment segment);

  /** The subranges of a cycle, by id. */
  List<RepairSegment> segments(int cycle);
}
