package io.ferry.testing.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithCassandraClusters
class CassandraClustersSharedIT {

  private static CassandraClusters clustersOfBeforeAll;

  private final CassandraClusters clusters;

  CassandraClustersSharedIT(CassandraClusters clusters) {
    this.clusters = clusters;
  }

  @BeforeAll
  static void rememberClusters(CassandraClusters clusters) {
    clustersOfBeforeAll = clusters;
  }

  @Test
  void should_give_the_same_clusters_to_constructors_lifecycle_and_test_methods(
      CassandraClusters clustersOfTest) {
    assertThat(clustersOfTest).isSameAs(clusters).isSameAs(clustersOfBeforeAll);
  }

  @Test
  void should_share_the_nodes_with_the_other_test_classes() {
    ObservedClusters.assertSameAsFirstSeen(clusters);
  }
}
