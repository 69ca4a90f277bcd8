package io.ferry.testing.workload;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a {@link Workload} saw. Every write attempted is exactly one of acknowledged, failed or
 * hung.
 *
 * @param attempted writes sent
 * @param acknowledged writes acknowledged within the answer deadline
 * @param failed writes that got an error within the answer deadline
 * @param hung writes answered later than the answer deadline (either way), or never
 * @param acknowledgedKeys the keys of every acknowledged write, late ones included: the audit
 *     checks each of them on both clusters
 * @param errors how many failed or hung writes saw each kind of error
 * @param reads reads answered within the deadline
 * @param readsFailed reads that got an error within the deadline
 * @param readsHung reads answered late or never
 * @param slowestAnswer the longest a request waited for its answer
 * @param duration how long the load ran
 */
public record WorkloadResult(
    long attempted,
    long acknowledged,
    long failed,
    long hung,
    Set<Long> acknowledgedKeys,
    Map<String, Long> errors,
    long reads,
    long readsFailed,
    long readsHung,
    Duration slowestAnswer,
    Duration duration) {

  /** The most frequent errors, most frequent first, one per line. */
  public String topErrors(int count) {
    return errors.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(count)
        .map(error -> "  " + error.getValue() + " × " + error.getKey())
        .collect(Collectors.joining("\n"));
  }
}
