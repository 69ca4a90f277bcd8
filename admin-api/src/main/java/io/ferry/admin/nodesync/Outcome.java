package io.ferry.admin.nodesync;

/**
 * DSE's validation outcome codes ({@code nodesync_validation.outcome}): whether all replicas took
 * part (full) or some were missing (partial), and whether they agreed or were repaired.
 */
final class Outcome {

  static final int FULL_IN_SYNC = 0;
  static final int FULL_REPAIRED = 1;
  static final int PARTIAL_IN_SYNC = 2;
  static final int PARTIAL_REPAIRED = 3;

  /** Only one replica was available: nothing to compare. */
  static final int UNCOMPLETED = 4;

  static final int FAILED = 5;

  private Outcome() {}

  /** Only full validations count as successful (they go to last_successful_validation). */
  static boolean successful(int outcome) {
    return outcome == FULL_IN_SYNC || outcome == FULL_REPAIRED;
  }

  static int completed(boolean partial, boolean repaired) {
    if (partial) {
      return repaired ? PARTIAL_REPAIRED : PARTIAL_IN_SYNC;
    }
    return repaired ? FULL_REPAIRED : FULL_IN_SYNC;
  }

  static String name(int outcome) {
    return switch (outcome) {
      case FULL_IN_SYNC -> "full_in_sync";
      case FULL_REPAIRED -> "full_repaired";
      case PARTIAL_IN_SYNC -> "partial_in_sync";
      case PARTIAL_REPAIRED -> "partial_repaired";
      case UNCOMPLETED -> "uncompleted";
      default -> "failed";
    };
  }
}
