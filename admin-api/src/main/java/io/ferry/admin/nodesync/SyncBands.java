package io.ferry.admin.nodesync;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How recently a set of segments was validated, against their table's deadline, in OpsCenter's four
 * bands: validated within half the deadline, within 90% of it, within the deadline, and longer ago
 * (or never).
 *
 * <p>Mutable accumulator; not thread-safe.
 */
final class SyncBands {

  private final long[] counts = new long[4];
  private Instant lastUpdated;

  /**
   * Counts one segment.
   *
   * @param lastSuccess when its last successful validation started, or {@code null} if never
   * @param lastAttempt its latest validation, successful or not, or {@code null}
   */
  void add(Instant lastSuccess, Instant lastAttempt, long deadlineSeconds, Instant now) {
    counts[band(lastSuccess, deadlineSeconds, now)]++;
    if (lastAttempt != null && (lastUpdated == null || lastAttempt.isAfter(lastUpdated))) {
      lastUpdated = lastAttempt;
    }
  }

  void addAll(SyncBands other) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    if (other.lastUpdated != null
        && (lastUpdated == null || other.lastUpdated.isAfter(lastUpdated))) {
      lastUpdated = other.lastUpdated;
    }
  }

  static int band(Instant lastSuccess, long deadlineSeconds, Instant now) {
    if (lastSuccess == null) {
      return 3;
    }
    double age = Math.max(0, Duration.between(lastSuccess, now).toMillis() / 1000.0);
    if (age <= deadlineSeconds * 0.5) {
      return 0;
    }
    if (age <= deadlineSeconds * 0.9) {
      return 1;
    }
    return age <= deadlineSeconds ? 2 : 3;
  }

  /** {@code last_updated}, {@code segment_sync_counts} and {@code segment_sync_percentages}. */
  Map<String, Object> json() {
    long total = counts[0] + counts[1] + counts[2] + counts[3];
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("last_updated", lastUpdated == null ? null : lastUpdated.getEpochSecond());
    json.put("segment_sync_counts", List.of(counts[0], counts[1], counts[2], counts[3]));
    json.put(
        "segment_sync_percentages",
        List.of(
            percentage(counts[0], total),
            percentage(counts[1], total),
            percentage(counts[2], total),
            percentage(counts[3], total)));
    return json;
  }

  private static double percentage(long count, long total) {
    return total == 0 ? 0.0 : 100.0 * count / total;
  }
}
