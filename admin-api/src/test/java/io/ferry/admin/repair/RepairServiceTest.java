package io.ferry.admin.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.admin.AdminSettings;
import io.ferry.admin.agent.RepairRunner;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.repair.RepairSegment.State;
import io.ferry.admin.ring.TokenRing.ReplicatedSpan;
import io.ferry.admin.ring.TokenSpan;
import io.ferry.admin.testing.FakeNodeAgent;
import io.ferry.admin.testing.InMemoryLeaseTable;
import io.ferry.admin.testing.TestClusters;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RepairServiceTest {

  private static final List<String> REPLICAS = List.of("10.0.0.1", "10.0.0.2");
  private static final AdminSettings.RepairSettings SETTINGS =
      new AdminSettings.RepairSettings(
          1, Duration.ofMinutes(30), 2, 20, 65, List.of(), Duration.ZERO, Duration.ofHours(24));

  private final FakeNodeAgent agent = new FakeNodeAgent();
  private final InMemoryLeaseTable leaseTable = new InMemoryLeaseTable();
  private final ManagedCluster cluster = TestClusters.cluster(agent, leaseTable);
  private final InMemoryRepairLog log = new InMemoryRepairLog();
  private Set<String> underNodeSync = Set.of();

  /** One table (shop.cart) on one token range of two replicas: a cycle of one subrange. */
  private final RepairTargets targets =
      new RepairTargets() {
        @Override
        public String ringFingerprint() {
          return "ring-1";
        }

        @Override
        public int nodeCount() {
          return 2;
        }

        @Override
        public List<CyclePlanner.TableRanges> tables(Set<String> excludedKeyspaces) {
          return List.of(
              new CyclePlanner.TableRanges(
                  "shop",
                  "cart",
                  1_000_000,
                  List.of(new ReplicatedSpan(new TokenSpan(0, 1000), REPLICAS))));
        }
      };

  private final RepairService service =
      new RepairService(
          cluster, SETTINGS, Duration.ofMillis(10), () -> underNodeSync, log, targets);

  /** One turn of the service's loop, as the lease holder runs it. */
  private boolean step() throws Exception {
    RepairStore.ServiceState wanted = service.wanted();
    return wanted != null && service.step(wanted);
  }

  private RepairSegment onlySegment() {
    List<RepairSegment> segments = log.segments(log.service().cycle());
    assertThat(segments).hasSize(1);
    return segments.get(0);
  }

  @Test
  void should_start_a_cycle_then_repair_each_subrange_with_its_replicas_locked() throws Exception {
    // given
    service.enable(86_400);
    // when
    boolean started = step();
    boolean repaired = step();
    // then
    assertThat(started).isTrue();
    assertThat(repaired).isTrue();
    RepairSegment segment = onlySegment();
    assertThat(segment.state()).isEqualTo(State.DONE);
    assertThat(segment.coordinator()).isEqualTo("10.0.0.1");
    assertThat(agent.calls())
        .containsExactly(
            "pendingCompactions 10.0.0.1",
            "pendingCompactions 10.0.0.2",
            "repair 10.0.0.1 shop {columnFamilies=cart, incremental=false, jobThreads=1,"
                + " parallelism=parallel, ranges=0:1000, trace=false}");
    assertThat(leaseTable.read("replica/10.0.0.1")).as("replica locks, given back").isNull();
    assertThat(service.serviceSummary().get("progress").toString())
        .isEqualTo("{completed=1, total=1}");
  }

  @Test
  void should_postpone_a_subrange_while_a_replica_has_too_many_pending_compactions()
      throws Exception {
    // given
    agent.withPendingCompactions("10.0.0.2", 21);
    service.enable(86_400);
    step();
    // when
    boolean worked = step();
    // then
    assertThat(worked).isFalse();
    RepairSegment segment = onlySegment();
    assertThat(segment.state()).isEqualTo(State.PENDING);
    assertThat(segment.notBefore()).isAfter(Instant.now());
    assertThat(segment.lastError()).contains("10.0.0.2 has 21 pending compactions");
    assertThat(agent.calls()).noneMatch(call -> call.startsWith("repair"));
  }

  @Test
  void should_try_a_failed_subrange_again_later_up_to_max_attempts() throws Exception {
    // given
    agent.withRepairStatus(RepairRunner.Status.FAILED);
    service.enable(86_400);
    step();
    // when
    step();
    // then
    RepairSegment segment = onlySegment();
    assertThat(segment.state()).isEqualTo(State.PENDING);
    assertThat(segment.attempts()).isEqualTo(1);
    assertThat(segment.notBefore()).isAfter(Instant.now());
    assertThat(segment.lastError()).contains("FAILED");
  }

  @Test
  void should_follow_a_subrange_repair_that_another_instance_started() throws Exception {
    // given: the cycle's subrange is running under repair #7 of an instance that stopped
    service.enable(86_400);
    step();
    log.save(onlySegment().running(Instant.now()).withCommand(7));
    // when
    step();
    // then
    assertThat(onlySegment().state()).isEqualTo(State.DONE);
    assertThat(agent.calls()).containsExactly("awaitRepair 10.0.0.1 7");
  }

  @Test
  void should_leave_tables_under_nodesync_alone() throws Exception {
    // given
    underNodeSync = Set.of("shop.cart");
    service.enable(86_400);
    // when
    boolean started = step();
    // then
    assertThat(started).isFalse();
    assertThat(log.service().cycle()).isZero();
  }

  @Test
  void should_refuse_to_change_time_to_completion_while_the_service_is_on() {
    // given
    service.enable(86_400);
    // when / then
    assertThatThrownBy(() -> service.enable(3_600))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("turn it off (DELETE /origin/services/repair)");
    service.disable();
    assertThat(service.enable(3_600)).containsEntry("status", true);
  }
}
