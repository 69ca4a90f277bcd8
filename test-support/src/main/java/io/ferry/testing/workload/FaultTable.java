package io.ferry.testing.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of each fault a test class injected, as a Markdown table for the test output: what
 * the client saw (acknowledged, failed with an error, hung), what the audit found (lost, audited,
 * rows on one cluster only) and what Ferry counted.
 *
 * <p>Thread-safe.
 */
public final class FaultTable {

  /**
   * One fault.
   *
   * @param ferryCounted what Ferry counted of the writes that failed, in its own words (metric
   *     values), or a note
   * @param recovery from the fault's end until a new write was acknowledged; null when not measured
   */
  public record Row(
      String fault, WorkloadResult load, Audit audit, String ferryCounted, Duration recovery) {}

  private static final String HEADER =
      "| fault | load s | attempted | acknowledged | failed with error | hung | lost | audited"
          + " | on origin only | on target only | reads ok/failed/hung | slowest answer ms"
          + " | recovery s | Ferry counted |\n"
          + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

  private final String title;
  private final List<String> lines = new ArrayList<>();

  public FaultTable(String title) {
    this.title = title;
  }

  public synchronized void add(Row row) {
    WorkloadResult load = row.load();
    Audit audit = row.audit();
    lines.add(
        String.join(
            " | ",
            "| " + row.fault(),
            seconds(load.duration()),
            Long.toString(load.attempted()),
            Long.toString(load.acknowledged()),
            Long.toString(load.failed()),
            Long.toString(load.hung()),
            Long.toString(audit.lost()),
            Long.toString(audit.audited()),
            Long.toString(audit.onOriginOnly()),
            Long.toString(audit.onTargetOnly()),
            load.reads() + "/" + load.readsFailed() + "/" + load.readsHung(),
            Long.toString(load.slowestAnswer().toMillis()),
            row.recovery() == null ? "-" : seconds(row.recovery()),
            row.ferryCounted() + " |"));
  }

  /** A fault that did not run, with the reason. */
  public synchronized void skipped(String fault, String reason) {
    lines.add("| " + fault + " | skipped: " + reason + " |||||||||||||");
  }

  public synchronized String render() {
    return "\n" + title + "\n\n" + HEADER + String.join("\n", lines) + "\n";
  }

  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
  }
}
