package io.ferry.admin.nodesync;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.admin.AdminSettings;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.ring.TokenRing.ReplicatedSpan;
import io.ferry.admin.ring.TokenSpan;
import io.ferry.admin.testing.FakeNodeAgent;
import io.ferry.admin.testing.InMemoryLeaseTable;
import io.ferry.admin.testing.TestClusters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class NodeSyncServiceTest {

  private static final TokenSpan SPAN = new TokenSpan(0, 1000);
  private static final AdminSettings.NodeSyncSettings SETTINGS =
      new AdminSettings.NodeSyncSettings(
          50, 200L << 20, Duration.ofMinutes(5), 1L << 20, Duration.ofMinutes(30));

  private final FakeNodeAgent agent = new FakeNodeAgent();
  private final InMemoryLeaseTable leaseTable = new InMemoryLeaseTable();
  private final ManagedCluster cluster = TestClusters.cluster(agent, leaseTable);
  private final InMemoryNodeSyncLog log = new InMemoryNodeSyncLog();
  private final Set<String> down = ConcurrentHashMap.newKeySet();

  /** One replicated table, shop.cart, on one token range of two replicas: one segment. */
  private final NodeSyncCluster view =
      new NodeSyncCluster() {
        @Override
        public boolean dse() {
          return false;
        }

        @Override
        public TableCatalog catalog() {
          return new TableCatalog(
              List.of(
                  new TableCatalog.Keyspace(
                      "shop",
                      Map.of("class", "SimpleStrategy", "replication_factor", "2"),
                      false,
                      List.of("cart"))));
        }

        @Override
        public List<ReplicatedSpan> ranges(String keyspace) {
          return List.of(new ReplicatedSpan(SPAN, List.of("10.0.0.1", "10.0.0.2")));
        }

        @Override
        public long tableBytes(String keyspace, String table) {
          return 0;
        }

        @Override
        public boolean answers(String node) {
          return !down.contains(node);
        }
      };

  private final NodeSyncService service =
      new NodeSyncService(
          cluster, SETTINGS, Duration.ofMillis(10), log, new InMemoryNodeSyncLog(), view);

  /** One turn of the validator's loop, as the lease holder runs it. */
  private boolean step() throws Exception {
    Set<String> wanted = service.wanted();
    return wanted != null && service.step(wanted);
  }

  @Test
  void should_validate_nothing_while_no_table_is_enabled() throws Exception {
    // when / then
    assertThat(service.wanted()).isNull();
    assertThat(agent.calls()).isEmpty();
  }

  @Test
  void should_record_a_segment_in_sync_when_its_preview_finds_no_difference() throws Exception {
    // given
    log.set(Map.of("shop.cart", true));
    agent.withRepairMessages("Previewed data was in sync");
    // when
    boolean worked = step();
    // then
    assertThat(worked).isTrue();
    assertThat(log.lastOutcome("shop.cart", SPAN)).isEqualTo(Outcome.FULL_IN_SYNC);
    assertThat(agent.calls())
        .containsExactly(
            "repair 10.0.0.1 shop {columnFamilies=cart, incremental=false, parallelism=parallel,"
                + " previewKind=ALL, ranges=0:1000}");
    assertThat(leaseTable.read("replica/10.0.0.2")).as("replica locks, given back").isNull();
  }

  @Test
  void should_repair_a_segment_only_when_its_preview_finds_a_difference() throws Exception {
    // given
    log.set(Map.of("shop.cart", true));
    agent.withRepairMessages("Total estimated streaming: 2 ranges, 1 sstables, 10 bytes");
    // when
    step();
    // then
    assertThat(log.lastOutcome("shop.cart", SPAN)).isEqualTo(Outcome.FULL_REPAIRED);
    assertThat(agent.calls())
        .containsExactly(
            "repair 10.0.0.1 shop {columnFamilies=cart, incremental=false, parallelism=parallel,"
                + " previewKind=ALL, ranges=0:1000}",
            "repair 10.0.0.1 shop {columnFamilies=cart, incremental=false, parallelism=parallel,"
                + " ranges=0:1000}");
  }

  @Test
  void should_record_an_uncompleted_validation_when_too_few_replicas_answer() throws Exception {
    // given
    log.set(Map.of("shop.cart", true));
    down.add("10.0.0.2");
    // when
    step();
    // then
    assertThat(log.lastOutcome("shop.cart", SPAN)).isEqualTo(Outcome.UNCOMPLETED);
    assertThat(agent.calls()).isEmpty();
  }

  @Test
  void should_not_validate_a_segment_again_within_the_minimum_interval() throws Exception {
    // given
    log.set(Map.of("shop.cart", true));
    agent.withRepairMessages("Previewed data was in sync");
    step();
    // when
    boolean again = step();
    // then
    assertThat(again).isFalse();
    assertThat(agent.calls()).hasSize(1);
  }
}
