package io.ferry.admin.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.testing.InMemoryLeaseTable;
import io.ferry.admin.testing.TestClusters;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LeasesTest {

  private static final Duration TTL = Duration.ofSeconds(30);

  private final InMemoryLeaseTable table = new InMemoryLeaseTable();
  private final Leases ferryA = TestClusters.leases(table, "ferry-a", TTL);
  private final Leases ferryB = TestClusters.leases(table, "ferry-b", TTL);
  private final UUID first = UUID.randomUUID();
  private final UUID second = UUID.randomUUID();

  @Test
  void should_give_a_lease_to_one_instance_at_a_time_naming_the_holder() {
    // when
    Leases.Outcome a = ferryA.acquire("rolling-restart", first, false);
    Leases.Outcome b = ferryB.acquire("rolling-restart", second, false);
    // then
    assertThat(a).isEqualTo(new Leases.Outcome.Acquired());
    assertThat(b).isEqualTo(new Leases.Outcome.Held("ferry-a", first));
    assertThatThrownBy(
            () -> ferryB.acquireOrConflict("rolling-restart", second, "cluster origin", false))
        .isInstanceOf(ConflictException.class)
        .hasMessage(
            "cluster origin is busy with request "
                + first
                + " (run by Ferry ferry-a); wait for it to finish or cancel it");
  }

  @Test
  void should_let_another_instance_take_a_lease_released_or_expired() {
    // given
    ferryA.acquire("node/10.0.0.1", first, true);
    ferryA.release("node/10.0.0.1", first);
    ferryA.acquire("rolling-restart", first, false);
    // when
    Leases.Outcome released = ferryB.acquire("node/10.0.0.1", second, true);
    table.advance(TTL);
    Leases.Outcome expired = ferryB.acquire("rolling-restart", second, false);
    // then
    assertThat(released).isEqualTo(new Leases.Outcome.Acquired());
    assertThat(expired).isEqualTo(new Leases.Outcome.Acquired());
  }

  @Test
  void should_keep_a_lease_renewed_before_its_ttl() {
    // given
    ferryA.acquire("rolling-restart", first, false);
    // when
    table.advance(TTL.dividedBy(2));
    ferryA.renewAll();
    table.advance(TTL.dividedBy(2));
    // then
    assertThat(ferryB.acquire("rolling-restart", second, false))
        .isEqualTo(new Leases.Outcome.Held("ferry-a", first));
    assertThat(ferryA.confirm("rolling-restart", first)).isTrue();
  }

  @Test
  void should_fence_a_holder_that_comes_back_after_its_lease_was_taken() {
    // given: ferry-a is paused past its lease's TTL, and ferry-b takes the lease
    ferryA.acquire("rolling-restart", first, false);
    table.advance(TTL.plusSeconds(1));
    ferryB.acquire("rolling-restart", second, false);
    // when: ferry-a comes back, still believing it holds the lease
    boolean believes = ferryA.holds("rolling-restart", first);
    boolean confirmed = ferryA.confirm("rolling-restart", first);
    // then
    assertThat(believes).isTrue();
    assertThat(confirmed).isFalse();
    assertThat(ferryA.holds("rolling-restart", first)).isFalse();
    assertThat(ferryB.confirm("rolling-restart", second)).isTrue();
  }

  @Test
  void should_trust_a_holder_without_quorum_only_within_its_ttl() {
    // given
    ferryA.acquire("rolling-restart", first, false);
    table.unavailable(true);
    // when
    table.advance(TTL.minusSeconds(1));
    boolean withinTtl = ferryA.confirm("rolling-restart", first);
    table.advance(Duration.ofSeconds(2));
    boolean pastTtl = ferryA.confirm("rolling-restart", first);
    // then
    assertThat(withinTtl).isTrue();
    assertThat(pastTtl).isFalse();
  }

  @Test
  void should_refuse_a_job_lease_without_quorum_but_lock_a_node_locally() {
    // given
    table.unavailable(true);
    // when / then
    assertThatThrownBy(() -> ferryA.acquire("rolling-restart", first, false))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("cannot make sure no other Ferry instance runs rolling-restart");
    assertThat(ferryA.acquire("node/10.0.0.1", first, true))
        .isEqualTo(new Leases.Outcome.Acquired());
    assertThat(ferryA.acquire("node/10.0.0.1", second, true))
        .isEqualTo(new Leases.Outcome.Held("ferry-a", first));
    assertThat(ferryA.confirm("node/10.0.0.1", first)).isTrue();
  }

  @Test
  void should_drop_a_lease_lost_to_another_instance_at_renewal() {
    // given
    ferryA.acquire("repair-service", first, false);
    table.advance(TTL);
    ferryB.acquire("repair-service", second, false);
    // when
    ferryA.renewAll();
    // then
    assertThat(ferryA.holds("repair-service", first)).isFalse();
    assertThat(ferryA.acquire("repair-service", first, false))
        .isEqualTo(new Leases.Outcome.Held("ferry-b", second));
  }
}
