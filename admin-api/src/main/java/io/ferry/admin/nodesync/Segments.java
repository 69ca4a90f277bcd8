package io.ferry.admin.nodesync;

import io.ferry.admin.ring.TokenRing.ReplicatedSpan;
import io.ferry.admin.ring.TokenSpan;
import java.util.ArrayList;
import java.util.List;

/**
 * NodeSync's segments of a table, as DSE cuts them: each token range of the ring is halved {@code
 * depth} times, the depth chosen from the table's size (assumed evenly spread) so that a segment
 * holds no more than the target size.
 *
 * <p>Pure.
 */
final class Segments {

  /** A segment and the replicas that hold it. */
  record Segment(TokenSpan span, List<String> replicas, long bytes) {}

  private static final int MAX_DEPTH = 20;

  private Segments() {}

  static List<Segment> of(List<ReplicatedSpan> ranges, long tableBytes, long targetBytes) {
    List<Segment> segments = new ArrayList<>();
    for (ReplicatedSpan range : ranges) {
      double rangeBytes = tableBytes * range.span().ringFraction();
      int depth = depth(rangeBytes, targetBytes);
      for (TokenSpan span : range.span().split(1 << depth)) {
        segments.add(
            new Segment(span, range.replicas(), Math.round(tableBytes * span.ringFraction())));
      }
    }
    return segments;
  }

  /** How many times to halve a range of {@code bytes} so that each piece is at most the target. */
  static int depth(double bytes, long targetBytes) {
    int depth = 0;
    while (depth < MAX_DEPTH && bytes / (1L << depth) > targetBytes) {
      depth++;
    }
    return depth;
  }
}
