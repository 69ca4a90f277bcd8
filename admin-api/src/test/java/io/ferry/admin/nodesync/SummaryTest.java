package io.ferry.admin.nodesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.admin.errors.NotFoundException;
import io.ferry.admin.ring.TokenRing.ReplicatedSpan;
import io.ferry.admin.ring.TokenSpan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SummaryTest {

  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  @Test
  void should_band_segments_by_the_age_of_their_last_successful_validation() {
    // given a deadline of 100 s
    SyncBands bands = new SyncBands();
    bands.add(NOW.minusSeconds(50), NOW.minusSeconds(50), 100, NOW);
    bands.add(NOW.minusSeconds(90), NOW.minusSeconds(10), 100, NOW);
    bands.add(NOW.minusSeconds(100), null, 100, NOW);
    bands.add(NOW.minusSeconds(101), null, 100, NOW);
    bands.add(null, null, 100, NOW);
    // when
    Map<String, Object> json = bands.json();
    // then
    assertThat(json.get("segment_sync_counts")).isEqualTo(List.of(1L, 1L, 1L, 2L));
    assertThat(json.get("segment_sync_percentages")).isEqualTo(List.of(20.0, 20.0, 20.0, 40.0));
    assertThat(json.get("last_updated")).isEqualTo(NOW.minusSeconds(10).getEpochSecond());
  }

  @Test
  void should_report_no_update_and_zero_percentages_without_segments() {
    Map<String, Object> json = new SyncBands().json();
    assertThat(json.get("last_updated")).isNull();
    assertThat(json.get("segment_sync_percentages")).isEqualTo(List.of(0.0, 0.0, 0.0, 0.0));
  }

  @Test
  void should_page_results_with_navigation() {
    // given 25 results
    List<Integer> items = IntStream.rangeClosed(1, 25).boxed().toList();
    // when
    Map<String, Object> first = Page.of(items, null, null);
    Map<String, Object> middle = Page.of(items, "2", "10");
    Map<String, Object> last = Page.of(items, "3", "10");
    // then
    assertThat(first)
        .containsEntry("current", 1)
        .containsEntry("previous", null)
        .containsEntry("next", 2);
    assertThat(first)
        .containsEntry("last", 3)
        .containsEntry("count", 25)
        .containsEntry("per_page", 10);
    assertThat(middle.get("results")).isEqualTo(IntStream.rangeClosed(11, 20).boxed().toList());
    assertThat(middle.get("proximate")).isEqualTo(Map.of("previous", 1, "next", 3));
    assertThat(last.get("results")).isEqualTo(List.of(21, 22, 23, 24, 25));
    assertThat(last).containsEntry("next", null);
  }

  @Test
  void should_answer_one_empty_page_for_no_results_and_refuse_bad_pages() {
    assertThat(Page.of(List.of(), "1", "5")).containsEntry("last", 1).containsEntry("count", 0);
    assertThatThrownBy(() -> Page.of(List.of(1, 2), "2", "2"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("past the last page (1");
    assertThatThrownBy(() -> Page.of(List.of(), "0", null)).hasMessageContaining("page: 0");
    assertThatThrownBy(() -> Page.of(List.of(), "x", null)).hasMessageContaining("page: x");
    assertThatThrownBy(() -> Page.of(List.of(), null, "0")).hasMessageContaining("per_page: 0");
    assertThatThrownBy(() -> Page.of(List.of(), null, "1001"))
        .hasMessageContaining("per_page: 1001");
  }

  @Test
  void should_halve_ranges_until_segments_hold_at_most_the_target_size() {
    // given two ranges, each half of a 1000-byte table, target 200 bytes
    List<ReplicatedSpan> ranges =
        List.of(
            new ReplicatedSpan(new TokenSpan(Long.MIN_VALUE, 0), List.of("a", "b")),
            new ReplicatedSpan(new TokenSpan(0, Long.MIN_VALUE), List.of("a", "b")));
    // when
    List<Segments.Segment> segments = Segments.of(ranges, 1000, 200);
    // then 500 bytes per range -> depth 2 -> 4 segments of 125 bytes each
    assertThat(segments).hasSize(8);
    assertThat(segments).allSatisfy(segment -> assertThat(segment.bytes()).isEqualTo(125));
    assertThat(Segments.of(ranges, 0, 200)).hasSize(2);
    assertThat(NodeSyncStore.rangeGroup(Long.MIN_VALUE)).isEqualTo((byte) 0x80);
  }
}
