package io.ferry.testing.workload;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What origin and target hold of a workload's table, read directly from each cluster (not through
 * Ferry), checked against the writes the workload saw acknowledged.
 *
 * @param audited acknowledged writes found on both clusters
 * @param lost acknowledged writes missing from origin, target or both
 * @param lostFromOrigin acknowledged writes missing from origin
 * @param lostFromTarget acknowledged writes missing from target
 * @param lostKeys some of the lost writes' keys, for the failure message
 * @param onOriginOnly rows origin has and target lacks: writes that failed on target alone
 * @param onTargetOnly rows target has and origin lacks: writes that failed on origin alone
 */
public record Audit(
    long audited,
    long lost,
    long lostFromOrigin,
    long lostFromTarget,
    List<Long> lostKeys,
    long onOriginOnly,
    long onTargetOnly) {

  private static final int PAGE_SIZE = 5000;
  private static final int LOST_KEYS_SHOWN = 20;

  /**
   * Reads every key of {@code table} from each cluster and compares.
   *
   * @param origin a session connected straight to origin
   * @param target a session connected straight to target
   */
  public static Audit of(
      WorkloadResult result, String table, CqlSession origin, CqlSession target) {
    Set<Long> onOrigin = keys(origin, table);
    Set<Long> onTarget = keys(target, table);
    List<Long> lostKeys =
        result.acknowledgedKeys().stream()
            .filter(key -> !onOrigin.contains(key) || !onTarget.contains(key))
            .sorted()
            .toList();
    return new Audit(
        result.acknowledgedKeys().size() - lostKeys.size(),
        lostKeys.size(),
        lostKeys.stream().filter(key -> !onOrigin.contains(key)).count(),
        lostKeys.stream().filter(key -> !onTarget.contains(key)).count(),
        lostKeys.subList(0, Math.min(LOST_KEYS_SHOWN, lostKeys.size())),
        onOrigin.stream().filter(key -> !onTarget.contains(key)).count(),
        onTarget.stream().filter(key -> !onOrigin.contains(key)).count());
  }

  private static Set<Long> keys(CqlSession session, String table) {
    Set<Long> keys = new HashSet<>();
    SimpleStatement everything =
        SimpleStatement.newInstance("SELECT k FROM " + table).setPageSize(PAGE_SIZE);
    for (Row row : session.execute(everything)) {
      keys.add(row.getLong(0));
    }
    return keys;
  }
}
