package io.ferry.testing.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Remembers the pids of the first clusters a test class saw, for the classes that run later. */
final class ObservedClusters {

  private static final AtomicReference<List<Long>> FIRST_SEEN_PIDS = new AtomicReference<>();

  private ObservedClusters() {}

  static void assertSameAsFirstSeen(CassandraClusters clusters) {
    List<Long> pids = List.of(clusters.origin().pid(), clusters.target().pid());
    FIRST_SEEN_PIDS.compareAndSet(null, pids);
    assertThat(pids).isEqualTo(FIRST_SEEN_PIDS.get());
  }
}
