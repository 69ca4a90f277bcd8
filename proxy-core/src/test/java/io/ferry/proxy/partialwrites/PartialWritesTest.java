package io.ferry.proxy.partialwrites;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.common.ClusterRole;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PartialWritesTest {

  private static final long T0 = Instant.parse("2025-11-21T10:00:00Z").toEpochMilli();

  private final List<String> lines = new ArrayList<>();
  private long nanos;
  private final PartialWrites partialWrites =
      new PartialWrites(Duration.ofSeconds(10), () -> nanos, lines::add);

  @Test
  void should_log_the_first_failure_of_a_table_at_once_with_what_an_operator_needs() {
    // when
    partialWrites.record(
        ClusterRole.TARGET, "shop.orders", T0, "10.0.1.1:9042: no answer within 2000 ms");

    // then
    assertThat(lines)
        .containsExactly(
            "1 write to shop.orders failed on target only, received by Ferry between"
                + " 2025-11-21T10:00:00Z and 2025-11-21T10:00:00Z (last error: 10.0.1.1:9042: no"
                + " answer within 2000 ms): origin applied it or may have, so target may lack"
                + " these rows; copy them from origin to target (for example by write time)");
  }

  @Test
  void should_sum_up_the_failures_of_an_interval_in_one_line() {
    // given a first failure, logged
    partialWrites.record(ClusterRole.TARGET, "shop.orders", T0, "a");
    lines.clear();

    // when more fail within the interval
    advance(Duration.ofSeconds(1));
    partialWrites.record(ClusterRole.TARGET, "shop.orders", T0 + 1500, "b");
    partialWrites.record(ClusterRole.TARGET, "shop.orders", T0 + 1200, "c");
    partialWrites.flush();

    // then nothing more is logged until the interval has passed
    assertThat(lines).isEmpty();

    // when it has
    advance(Duration.ofSeconds(9));
    partialWrites.flush();

    // then one line sums them up
    assertThat(lines)
        .singleElement()
        .asString()
        .startsWith(
            "2 writes to shop.orders failed on target only, received by Ferry between"
                + " 2025-11-21T10:00:01.200Z and 2025-11-21T10:00:01.500Z (last error: c)")
        .contains("origin applied them or may have");
    // and a quiet table logs nothing more
    advance(Duration.ofSeconds(30));
    partialWrites.flush();
    assertThat(lines).hasSize(1);
  }

  @Test
  void should_keep_tables_and_clusters_apart() {
    // when
    partialWrites.record(ClusterRole.TARGET, "shop.orders", T0, "a");
    partialWrites.record(ClusterRole.ORIGIN, "shop.orders", T0, "b");
    partialWrites.record(ClusterRole.TARGET, "shop.carts", T0, "c");

    // then
    assertThat(lines)
        .hasSize(3)
        .anyMatch(line -> line.startsWith("1 write to shop.orders failed on target only"))
        .anyMatch(
            line ->
                line.startsWith("1 write to shop.orders failed on origin only")
                    && line.endsWith("copy them from target to origin (for example by write time)"))
        .anyMatch(line -> line.startsWith("1 write to shop.carts failed on target only"));
  }

  @Test
  void should_log_every_sum_left_when_flushed_at_shutdown() {
    // given
    partialWrites.record(ClusterRole.TARGET, "shop.orders", T0, "a");
    partialWrites.record(ClusterRole.TARGET, "shop.orders", T0, "b");
    lines.clear();

    // when
    partialWrites.flushAll();

    // then
    assertThat(lines).singleElement().asString().startsWith("1 write to shop.orders");
  }

  private void advance(Duration duration) {
    nanos += TimeUnit.MILLISECONDS.toNanos(duration.toMillis());
  }
}
