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

  private static final String HEADER =
      "| fault | load s | attempted | acknowledged | failed with error | hung | lost | audited"
          + " | on origin only | on target only | reads ok/failed/hung | slowest answer ms"
          + " | recovery s | Ferry counted |\n"
          + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

  private final String title;
  private final List<String> lines = new ArrayList<>();

  /**
   * @param faults what kind of faults, for the title
   */
  public FaultTable(String faults) {
    this.title =
        "Fault injection: "
            + faults
            + " (request timeout "
            + FaultSettings.REQUEST_TIMEOUT.toMillis()
            + " ms; hung = no answer within "
            + FaultSettings.ANSWER_DEADLINE.toMillis()
            + " ms; "
            + (FaultSettings.LONG ? "long" : "short")
            + " variant)";
  }

  public synchronized void add(FaultOutcome outcome) {
    WorkloadResult load = outcome.load();
    Audit audit = outcome.audit();
    lines.add(
        String.join(
            " | ",
            "| " + outcome.fault(),
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
            outcome.recovery() == null ? "-" : seconds(outcome.recovery()),
            outcome.ferryCounted() + " |"));
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
