package io.ferry.testing.workload;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Ferry's gauges that return to zero once no request is in flight: the stream ids in use on its
 * connections to each cluster, the orphans among them (ids of timed-out requests, held until their
 * late answer), and the requests in flight. One that stays above zero after the load stopped is a
 * leak.
 */
public final class IdleGauges {

  /** The gauges, summed over their labels (each node, each request type). */
  public static final List<String> NAMES =
      List.of(
          "zdm_origin_used_stream_ids_total",
          "zdm_target_used_stream_ids_total",
          "zdm_origin_orphaned_stream_ids",
          "zdm_target_orphaned_stream_ids",
          "zdm_proxy_inflight_requests_total");

  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private IdleGauges() {}

  /**
   * Waits until every gauge reads zero.
   *
   * @param snapshot reads Ferry's gauges at one moment: the sum of a gauge by name, negative when
   *     it cannot be read
   * @return null once they all read zero, else the last values read, for the failure message
   */
  public static String await(Supplier<ToDoubleFunction<String>> snapshot, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ToDoubleFunction<String> gauges = snapshot.get();
      if (NAMES.stream().allMatch(name -> gauges.applyAsDouble(name) == 0)) {
        return null;
      }
      if (System.nanoTime() - deadline > 0) {
        return NAMES.stream()
            .map(name -> name + "=" + Math.round(gauges.applyAsDouble(name)))
            .collect(Collectors.joining(", ", "after " + timeout.toSeconds() + " s: ", ""));
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }
}
