package io.ferry.admin.repair;

import io.ferry.admin.ring.TokenRing.ReplicatedSpan;
import io.ferry.admin.ring.TokenSpan;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a cycle into subranges, as Reaper does for single-token rings: each token range of a table
 * is split into pieces in proportion to its share of the ring, {@code nodes x segmentsPerNode}
 * pieces for the whole ring and at least one per range; the coordinators rotate over each range's
 * replicas. Ranges with a single replica (RF 1) have nothing to repair and are left out.
 *
 * <p>Pure.
 */
final class CyclePlanner {

  /** A table to repair: its ranges with their replicas, and its estimated size (0: unknown). */
  record TableRanges(String keyspace, String table, long bytes, List<ReplicatedSpan> ranges) {}

  private CyclePlanner() {}

  static List<RepairSegment> plan(
      int cycle, List<TableRanges> tables, int nodes, int segmentsPerNode) {
    List<RepairSegment> segments = new ArrayList<>();
    long ringPieces = (long) Math.max(1, nodes) * segmentsPerNode;
    for (TableRanges table : tables) {
      int piece = 0;
      for (ReplicatedSpan range : table.ranges()) {
        if (range.replicas().size() < 2) {
          continue;
        }
        int pieces = (int) Math.max(1, Math.round(range.span().ringFraction() * ringPieces));
        for (TokenSpan span : range.span().split(pieces)) {
          segments.add(
              new RepairSegment(
                  cycle,
                  segments.size(),
                  table.keyspace(),
                  table.table(),
                  span,
                  range.replicas().get(piece++ % range.replicas().size()),
                  range.replicas(),
                  Math.round(table.bytes() * span.ringFraction()),
                  RepairSegment.State.PENDING,
                  0,
                  0,
                  null,
                  null,
                  null,
                  ""));
        }
      }
    }
    return segments;
  }
}
