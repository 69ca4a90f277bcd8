package io.ferry.admin.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenSpanTest {

  @Test
  void should_split_a_range_into_contiguous_pieces_that_cover_it() {
    // given
    TokenSpan span = new TokenSpan(-100, 100);
    // when
    List<TokenSpan> pieces = span.split(4);
    // then
    assertThat(pieces)
        .containsExactly(
            new TokenSpan(-100, -50),
            new TokenSpan(-50, 0),
            new TokenSpan(0, 50),
            new TokenSpan(50, 100));
  }

  @Test
  void should_split_a_range_that_wraps_around_the_ring() {
    // given (Long.MAX_VALUE - 9, Long.MIN_VALUE + 10]: 20 tokens across the wrap
    TokenSpan span = new TokenSpan(Long.MAX_VALUE - 9, Long.MIN_VALUE + 10);
    // when
    List<TokenSpan> pieces = span.split(2);
    // then
    assertThat(span.size()).isEqualTo(BigInteger.valueOf(20));
    assertThat(pieces)
        .containsExactly(
            new TokenSpan(Long.MAX_VALUE - 9, Long.MIN_VALUE),
            new TokenSpan(Long.MIN_VALUE, Long.MIN_VALUE + 10));
  }

  @Test
  void should_treat_equal_bounds_as_the_whole_ring() {
    // given
    TokenSpan ring = new TokenSpan(0, 0);
    // when
    List<TokenSpan> halves = ring.split(2);
    // then
    assertThat(ring.ringFraction()).isEqualTo(1.0);
    assertThat(halves)
        .containsExactly(new TokenSpan(0, Long.MIN_VALUE), new TokenSpan(Long.MIN_VALUE, 0));
    assertThat(halves.get(0).repairRange()).isEqualTo("0:-9223372036854775808");
  }

  @Test
  void should_never_cut_more_pieces_than_tokens() {
    assertThat(new TokenSpan(1, 3).split(10))
        .containsExactly(new TokenSpan(1, 2), new TokenSpan(2, 3));
  }
}
