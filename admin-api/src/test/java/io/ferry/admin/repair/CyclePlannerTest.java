package io.ferry.admin.repair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.admin.ring.TokenRing.ReplicatedSpan;
import io.ferry.admin.ring.TokenSpan;
import java.util.List;
import org.junit.jupiter.api.Test;

class CyclePlannerTest {

  private static final List<String> BOTH = List.of("10.0.0.1", "10.0.0.2");

  @Test
  void should_cut_each_range_in_proportion_to_its_share_of_the_ring() {
    // given a two-node ring where one range is a quarter of the ring
    long quarter = Long.MIN_VALUE / 2; // -2^62
    List<ReplicatedSpan> ranges =
        List.of(
            new ReplicatedSpan(new TokenSpan(Long.MIN_VALUE, quarter), BOTH),
            new ReplicatedSpan(new TokenSpan(quarter, Long.MIN_VALUE), BOTH));
    CyclePlanner.TableRanges table = new CyclePlanner.TableRanges("ks", "t", 4000, ranges);
    // when 2 nodes x 4 subranges per node
    List<RepairSegment> segments = CyclePlanner.plan(7, List.of(table), 2, 4);
    // then 2 pieces for the quarter, 6 for the rest, coordinators alternating
    assertThat(segments).hasSize(8);
    assertThat(segments).allSatisfy(segment -> assertThat(segment.cycle()).isEqualTo(7));
    assertThat(segments.stream().map(RepairSegment::id)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(segments.get(0).span().start()).isEqualTo(Long.MIN_VALUE);
    assertThat(segments.get(1).span().end()).isEqualTo(quarter);
    assertThat(segments.get(7).span().end()).isEqualTo(Long.MIN_VALUE);
    assertThat(segments.get(0).coordinator()).isEqualTo("10.0.0.1");
    assertThat(segments.get(1).coordinator()).isEqualTo("10.0.0.2");
    assertThat(segments.stream().mapToLong(RepairSegment::size).sum()).isBetween(3990L, 4010L);
    assertThat(segments)
        .allSatisfy(s -> assertThat(s.state()).isEqualTo(RepairSegment.State.PENDING));
  }

  @Test
  void should_leave_out_ranges_with_a_single_replica() {
    // given
    List<ReplicatedSpan> ranges =
        List.of(new ReplicatedSpan(new TokenSpan(0, 0), List.of("10.0.0.1")));
    // when
    List<RepairSegment> segments =
        CyclePlanner.plan(1, List.of(new CyclePlanner.TableRanges("ks", "t", 0, ranges)), 1, 16);
    // then
    assertThat(segments).isEmpty();
  }

  @Test
  void should_take_nearest_rank_percentiles_of_repair_times() {
    List<Double> sorted = List.of(1.0, 1.0, 2.0, 5.0, 7.0);
    assertThat(RepairProgress.rank(sorted, 50)).isEqualTo(2.0);
    assertThat(RepairProgress.rank(sorted, 75)).isEqualTo(5.0);
    assertThat(RepairProgress.rank(sorted, 99)).isEqualTo(7.0);
  }
}
