package io.ferry.admin.repair;

import io.ferry.admin.ring.TokenSpan;
import java.time.Instant;
import java.util.List;

/**
 * One subrange repair of a cycle: a token range of one table, the replica that coordinates it, and
 * where it stands. A row of {@code ferry.repair_segments}.
 *
 * @param size estimated bytes of one replica of the subrange's data (0 when unknown)
 * @param command the coordinator's repair command number of the latest attempt (0 before one)
 * @param notBefore when a postponed or failed subrange may be tried again, or {@code null}
 */
public record RepairSegment(
    int cycle,
    int id,
    String keyspace,
    String table,
    TokenSpan span,
    String coordinator,
    List<String> replicas,
    long size,
    State state,
    int attempts,
    int command,
    Instant started,
    Instant finished,
    Instant notBefore,
    String lastError) {

  /** Where a subrange stands in its cycle. */
  public enum State {
    PENDING,
    RUNNING,
    DONE,
    /** Failed every attempt of the cycle. */
    FAILED,
    /** Left out: its table went under NodeSync during the cycle. */
    SKIPPED;

    public boolean terminal() {
      return this == DONE || this == FAILED || this == SKIPPED;
    }
  }

  public String tableName() {
    return keyspace + "." + table;
  }

  /** Seconds the last attempt ran, for a finished one. */
  public double seconds() {
    return started == null || finished == null
        ? 0
        : Math.max(0, finished.toEpochMilli() - started.toEpochMilli()) / 1000.0;
  }

  RepairSegment running(Instant now) {
    return with(State.RUNNING, attempts + 1, 0, now, null, null, lastError);
  }

  RepairSegment withCommand(int newCommand) {
    return with(state, attempts, newCommand, started, finished, notBefore, lastError);
  }

  RepairSegment done(Instant now) {
    return with(State.DONE, attempts, command, started, now, null, "");
  }

  /** Back to pending (to be tried again from {@code retryAt}), or failed for the cycle. */
  RepairSegment failed(Instant now, String error, int maxAttempts, Instant retryAt) {
    boolean last = attempts >= maxAttempts;
    return with(
        last ? State.FAILED : State.PENDING,
        attempts,
        command,
        started,
        now,
        last ? null : retryAt,
        error);
  }

  /** Back to pending without counting an attempt (its repair was lost, not failed). */
  RepairSegment requeued(String why) {
    return with(State.PENDING, Math.max(0, attempts - 1), 0, null, null, null, why);
  }

  RepairSegment postponed(Instant retryAt, String why) {
    return with(State.PENDING, attempts, command, started, finished, retryAt, why);
  }

  RepairSegment skipped(String why) {
    return with(State.SKIPPED, attempts, command, started, finished, null, why);
  }

  /** The same subrange (cycle, id, table, range, replicas, size) with a new progress. */
  private RepairSegment with(
      State newState,
      int newAttempts,
      int newCommand,
      Instant newStarted,
      Instant newFinished,
      Instant newNotBefore,
      String newLastError) {
    return new RepairSegment(
        cycle,
        id,
        keyspace,
        table,
        span,
        coordinator,
        replicas,
        size,
        newState,
        newAttempts,
        newCommand,
        newStarted,
        newFinished,
        newNotBefore,
        newLastError);
  }
}
