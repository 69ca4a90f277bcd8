package io.ferry.testing.workload;

import java.time.Duration;
import org.assertj.core.api.SoftAssertions;

/**
 * What one fault came to, and the checks every fault must pass: writes were acknowledged, none of
 * them is missing from either cluster, no request hung, Ferry served again once the fault ended,
 * and its stream ids and in-flight requests returned to zero.
 *
 * @param fault what happened, for the table
 * @param load what the client saw
 * @param audit what the clusters hold
 * @param recovery from the fault's end until a write sent after it was acknowledged; null when none
 *     was in time
 * @param stillBusy null when Ferry's {@linkplain IdleGauges idle gauges} returned to zero, else
 *     their values
 * @param ferryCounted what Ferry counted of the failures, for the table
 */
public record FaultOutcome(
    String fault,
    WorkloadResult load,
    Audit audit,
    Duration recovery,
    String stillBusy,
    String ferryCounted) {

  /** Checks what holds for every fault; the caller adds its own and calls assertAll. */
  public void check(SoftAssertions softly) {
    softly.assertThat(load.acknowledged()).as("writes acknowledged").isPositive();
    softly.assertThat(audit.lost()).as("acknowledged writes lost: " + audit.lostKeys()).isZero();
    softly.assertThat(load.hung()).as("writes without an answer in time").isZero();
    softly.assertThat(load.readsHung()).as("reads without an answer in time").isZero();
    softly.assertThat(recovery).as("time until Ferry served again").isNotNull();
    softly.assertThat(stillBusy).as("stream ids and requests in flight after the load").isNull();
  }

  /** The figures in a sentence, with the most frequent errors, for the test output. */
  public String summary() {
    return String.format(
        "%s: %d writes attempted, %d acknowledged, %d failed with an error, %d hung; audit: %d"
            + " lost (%d missing from origin, %d from target), %d audited, %d on origin only, %d"
            + " on target only; %s%nMost frequent errors:%n%s",
        fault,
        load.attempted(),
        load.acknowledged(),
        load.failed(),
        load.hung(),
        audit.lost(),
        audit.lostFromOrigin(),
        audit.lostFromTarget(),
        audit.audited(),
        audit.onOriginOnly(),
        audit.onTargetOnly(),
        ferryCounted,
        load.topErrors(5));
  }
}
