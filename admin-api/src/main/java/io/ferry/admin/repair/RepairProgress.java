package io.ferry.admin.repair;

import io.ferry.admin.AdminSettings;
import io.ferry.admin.repair.RepairSegment.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON of {@code GET /{cluster_id}/repair-status}, {@code /services} and {@code
 * /repair-details}, computed from what the current cycle's subranges recorded.
 *
 * <p>Pure.
 */
final class RepairProgress {

  private RepairProgress() {}

  /** Counts of a cycle's subranges; skipped ones are not part of it any more. */
  record Counts(int total, int completed, int failed, int inProgress, int remaining) {

    static Counts of(List<RepairSegment> segments) {
      int total = 0;
      int completed = 0;
      int failed = 0;
      int running = 0;
      for (RepairSegment segment : segments) {
        switch (segment.state()) {
          case SKIPPED -> {
            continue;
          }
          case DONE -> completed++;
          case FAILED -> failed++;
          case RUNNING -> running++;
          default -> {}
        }
        total++;
      }
      return new Counts(total, completed, failed, running, total - completed - failed - running);
    }
  }

  static Map<String, Object> status(
      RepairStore.ServiceState service,
      List<RepairSegment> segments,
      AdminSettings.RepairSettings settings,
      boolean paused,
      Instant now) {
    Counts counts = Counts.of(segments);
    List<Double> times = new ArrayList<>();
    long completedBytes = 0;
    long remainingBytes = 0;
    long totalBytes = 0;
    double repairSeconds = 0;
    Instant lastRepair = null;
    for (RepairSegment segment : segments) {
      if (segment.state() == State.SKIPPED) {
        continue;
      }
      totalBytes += segment.size();
      if (segment.state() == State.DONE) {
        times.add(segment.seconds());
        repairSeconds += segment.seconds();
        completedBytes += segment.size();
        if (lastRepair == null || segment.finished().isAfter(lastRepair)) {
          lastRepair = segment.finished();
        }
      } else if (segment.state() != State.FAILED) {
        remainingBytes += segment.size();
      }
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(
        "cluster_stabilization_period",
        Long.toString(settings.clusterStabilizationPeriod().toSeconds()));
    config.put("error_logging_window", Long.toString(settings.errorLoggingWindow().toSeconds()));
    config.put("ignore_keyspaces", String.join(",", settings.ignoreKeyspaces()));

    Map<String, Object> overview = new LinkedHashMap<>();
    overview.put("completed", counts.completed());
    overview.put("failed", counts.failed());
    overview.put("in_progress", counts.inProgress());
    overview.put("remaining", counts.remaining());
    overview.put("repair_times", repairTimes(times));
    overview.put("total", counts.total());

    double throughput = repairSeconds > 0 ? counts.completed() / repairSeconds : 0;
    long ttcRemaining =
        service.cycleStarted() == null
            ? service.timeToCompletion()
            : Math.max(
                0,
                Duration.between(
                        now, service.cycleStarted().plusSeconds(service.timeToCompletion()))
                    .toSeconds());
    Map<String, Object> subrange = new LinkedHashMap<>();
    subrange.put("completed", counts.completed());
    subrange.put("completed_bytes", completedBytes);
    subrange.put("estimated_time", estimatedSeconds(service, counts, throughput, settings, now));
    subrange.put("job_state", jobState(service, counts, paused));
    subrange.put("last_repair_ts", lastRepair == null ? 0 : lastRepair.getEpochSecond());
    subrange.put("remaining", counts.remaining() + counts.inProgress());
    subrange.put("remaining_bytes", remainingBytes);
    subrange.put("throughput", throughput);
    subrange.put(
        "throughput_bytes", repairSeconds > 0 ? (long) (completedBytes / repairSeconds) : 0);
    subrange.put("total", counts.total());
    subrange.put("total_bytes", totalBytes);
    subrange.put("ttc_remaining", ttcRemaining);

    // Ferry repairs no table incrementally (see README): nothing is, or was, pending there.
    Map<String, Object> incremental = new LinkedHashMap<>();
    incremental.put("completed", 0);
    incremental.put("completed_bytes", 0);
    incremental.put("estimated_time", 0);
    incremental.put("job_state", "none");
    incremental.put("last_repair_ts", 0);
    incremental.put("remaining", 0);
    incremental.put("remaining_bytes", 0);
    incremental.put("throughput", 0.0);
    incremental.put("throughput_bytes", 0);
    incremental.put("total", 0);
    incremental.put("total_bytes", 0);
    incremental.put("ttc_remaining", ttcRemaining);

    Map<String, Object> status = new LinkedHashMap<>();
    status.put("config", config);
    status.put("status", !service.enabled() ? "stopped" : paused ? "paused" : "active");
    status.put("time_to_completion", service.timeToCompletion());
    status.put("cycle", service.cycle());
    status.put("cycle_started", epochSeconds(service.cycleStarted()));
    status.put("overview", overview);
    status.put("incremental", incremental);
    status.put("subrange", subrange);
    status.put("details", details(segments));
    return status;
  }

  private static String jobState(RepairStore.ServiceState service, Counts counts, boolean paused) {
    if (service.cycle() == 0) {
      return service.enabled() ? "pending" : "none";
    }
    if (counts.remaining() + counts.inProgress() == 0) {
      return counts.failed() > 0 ? "error" : "success";
    }
    if (!service.enabled()) {
      return "stopped";
    }
    return paused ? "paused" : "running";
  }

  /**
   * Seconds until the cycle ends: the remaining subranges at the throughput seen so far, or, when
   * pacing holds them back, when the pacing plans the last one.
   */
  private static long estimatedSeconds(
      RepairStore.ServiceState service,
      Counts counts,
      double throughput,
      AdminSettings.RepairSettings settings,
      Instant now) {
    int left = counts.remaining() + counts.inProgress();
    if (left == 0 || service.cycleStarted() == null) {
      return 0;
    }
    double atThroughput = throughput > 0 ? left / throughput : 0;
    double pacedEnd =
        Duration.between(now, Pacing.planned(service, settings, counts.total(), counts.total() - 1))
                .toMillis()
            / 1000.0;
    return Math.round(Math.max(atThroughput, pacedEnd));
  }

  private static Map<String, Object> repairTimes(List<Double> times) {
    Map<String, Object> result = new LinkedHashMap<>();
    List<Double> sorted = new ArrayList<>(times);
    Collections.sort(sorted);
    for (int percentile : new int[] {50, 75, 90, 99}) {
      result.put(Integer.toString(percentile), sorted.isEmpty() ? null : rank(sorted, percentile));
    }
    result.put(
        "average",
        sorted.isEmpty()
            ? null
            : sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0));
    result.put("max", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1));
    result.put("min", sorted.isEmpty() ? null : sorted.get(0));
    return result;
  }

  /** Seconds since the epoch with milliseconds, as OpsCenter writes times (1492099955.84). */
  static java.math.BigDecimal epochSeconds(Instant instant) {
    return instant == null ? null : java.math.BigDecimal.valueOf(instant.toEpochMilli(), 3);
  }

  /** Nearest-rank percentile of sorted values. */
  static double rank(List<Double> sorted, int percentile) {
    int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static Map<String, Object> details(List<RepairSegment> segments) {
    Map<String, List<RepairSegment>> byTable = new TreeMap<>();
    for (RepairSegment segment : segments) {
      byTable.computeIfAbsent(segment.tableName(), ignored -> new ArrayList<>()).add(segment);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    byTable.forEach(
        (table, ofTable) -> {
          int attempts = 0;
          double time = 0;
          int done = 0;
          Map<String, Integer> states = new LinkedHashMap<>();
          for (String state : List.of("aborted", "failure", "pending", "running", "success")) {
            states.put(state, 0);
          }
          for (RepairSegment segment : ofTable) {
            attempts += segment.attempts();
            String state =
                switch (segment.state()) {
                  case SKIPPED -> "aborted";
                  case FAILED -> "failure";
                  case PENDING -> "pending";
                  case RUNNING -> "running";
                  case DONE -> "success";
                };
            states.merge(state, 1, Integer::sum);
            if (segment.state() == State.DONE) {
              done++;
              time += segment.seconds();
            }
          }
          Map<String, Object> detail = new LinkedHashMap<>();
          detail.put("attempts", attempts);
          detail.put("average_time", done == 0 ? 0 : time / done);
          detail.put("state", states);
          detail.put("time", time);
          detail.put("type", "subrange");
          details.put(table, detail);
        });
    return details;
  }

  /** One entry of {@code GET /{cluster_id}/repair-details}. */
  static Map<String, Object> detail(RepairSegment segment) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("attempts", segment.attempts());
    detail.put("executing", segment.state() == State.RUNNING);
    detail.put("ksname", segment.keyspace());
    detail.put("last_error", segment.lastError() == null ? "" : segment.lastError());
    detail.put("node", segment.coordinator());
    detail.put(
        "repair_range",
        List.of(Long.toString(segment.span().start()), Long.toString(segment.span().end())));
    detail.put("size", segment.size());
    detail.put("start_ts", epochSeconds(segment.started()));
    detail.put("tables", List.of(segment.table()));
    detail.put("time", segment.state() == State.DONE ? segment.seconds() : 0);
    detail.put("type", "subrange");
    detail.put("state", segment.state().name().toLowerCase(java.util.Locale.ROOT));
    detail.put("replicas", segment.replicas());
    return detail;
  }

  /** When the service plans to start subranges, so that a cycle ends at the target percentage. */
  static final class Pacing {

    private Pacing() {}

    /** When the {@code index}-th (0-based) of {@code total} subranges is planned to start. */
    static Instant planned(
        RepairStore.ServiceState service,
        AdminSettings.RepairSettings settings,
        int total,
        int index) {
      double window = service.timeToCompletion() * settings.targetPercentage() / 100.0;
      long offsetMillis = total <= 0 ? 0 : Math.round(window * 1000.0 * index / total);
      return service.cycleStarted().plusMillis(offsetMillis);
    }
  }
}
