package io.ferry.testing.workload;

import java.time.Duration;

/**
 * The timing and load every fault-injection test shares: short enough by default for every build (a
 * few seconds of load around each fault), about ten times longer with twice the load when the
 * system property {@code ferry.faults.long} is true.
 */
public final class FaultSettings {

  /** Whether the long variant runs ({@code -Dferry.faults.long=true}). */
  public static final boolean LONG = Boolean.getBoolean("ferry.faults.long");

  /** Ferry's request timeout in the fault tests. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

  /**
   * A request answered later than this hung. Ferry checks for timed-out requests every tenth of its
   * timeout; the rest is room for a busy 2-core machine.
   */
  public static final Duration ANSWER_DEADLINE = REQUEST_TIMEOUT.plusSeconds(3);

  /**
   * The driver's own request timeout: well above Ferry's, so that a driver timeout means Ferry left
   * a request unanswered.
   */
  public static final Duration DRIVER_TIMEOUT = Duration.ofSeconds(15);

  /** The load before each fault and after Ferry serves again. */
  public static final Duration STEADY = Duration.ofSeconds(LONG ? 15 : 2);

  /** How long a fault lasts (a restarted node also takes its start-up time). */
  public static final Duration FAULT = Duration.ofSeconds(LONG ? 45 : 4);

  /** Writer and reader threads, each sending a request every 10 ms at most. */
  public static final Workload.Settings LOAD =
      new Workload.Settings(LONG ? 8 : 4, LONG ? 4 : 2, Duration.ofMillis(10), ANSWER_DEADLINE);

  private FaultSettings() {}
}
