package io.ferry.proxy.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamIdPoolTest {

  @Test
  void should_hand_out_every_id_once_then_refuse() {
    // given
    StreamIdPool pool = new StreamIdPool(130);
    Set<Integer> ids = new HashSet<>();
    // when
    for (int i = 0; i < 130; i++) {
      ids.add(pool.acquire());
    }
    // then
    assertThat(ids).hasSize(130).allMatch(id -> id >= 0 && id < 130);
    assertThat(pool.acquire()).isEqualTo(-1);
    assertThat(pool.inUse()).isEqualTo(130);
  }

  @Test
  void should_not_reuse_a_released_id_immediately() {
    // given
    StreamIdPool pool = new StreamIdPool(2048);
    int first = pool.acquire();
    pool.release(first);
    // when
    int second = pool.acquire();
    // then
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void should_find_ids_released_behind_the_cursor() {
    // given a full pool with one id released far behind the cursor
    StreamIdPool pool = new StreamIdPool(200);
    for (int i = 0; i < 200; i++) {
      pool.acquire();
    }
    pool.release(3);
    // when
    int id = pool.acquire();
    // then
    assertThat(id).isEqualTo(3);
  }

  @Test
  void should_refuse_to_release_an_id_not_in_use() {
    // given
    StreamIdPool pool = new StreamIdPool(8);
    // then
    assertThatThrownBy(() -> pool.release(5)).hasMessageContaining("stream id 5 is not in use");
    assertThatThrownBy(() -> pool.release(8)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StreamIdPool(0)).hasMessageContaining("expected: 1..32768");
  }

  @Test
  void should_stay_consistent_under_random_use() {
    // given
    StreamIdPool pool = new StreamIdPool(100);
    java.util.Random random = new java.util.Random(42);
    Set<Integer> held = new HashSet<>();
    // when
    for (int step = 0; step < 100_000; step++) {
      if (random.nextBoolean()) {
        int id = pool.acquire();
        if (id >= 0) {
          assertThat(held.add(id)).isTrue();
        } else {
          assertThat(held).hasSize(100);
        }
      } else if (!held.isEmpty()) {
        int id = held.iterator().next();
        held.remove(id);
        pool.release(id);
      }
      // then
      assertThat(pool.inUse()).isEqualTo(held.size());
    }
  }
}
