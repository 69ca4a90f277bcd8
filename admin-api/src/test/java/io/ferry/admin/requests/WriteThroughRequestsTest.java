package io.ferry.admin.requests;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.admin.testing.InMemoryRequestLog;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WriteThroughRequestsTest {

  private final InMemoryRequestLog store = new InMemoryRequestLog();
  private final WriteThroughRequests requests = new WriteThroughRequests("origin", store);

  private static AdminRequest running(UUID id) {
    Instant now = Instant.now();
    return new AdminRequest(
        id, "origin", "restart", "running", now, null, "running", null, List.of(), "{}", false,
        "test");
  }

  @Test
  void should_write_a_request_through_as_it_changes() {
    // given
    UUID id = UUID.randomUUID();
    // when
    requests.insert(running(id));
    requests.update(id, "success", Instant.now(), "restarted");
    // then
    assertThat(store.get(id).orElseThrow().state()).isEqualTo("success");
    assertThat(requests.unwrittenCount()).isZero();
  }

  @Test
  void should_keep_and_answer_what_the_store_cannot_take_and_write_it_when_it_can() {
    // given: the store's cluster is down (its only node restarts)
    UUID id = UUID.randomUUID();
    store.unavailable(true);
    // when
    requests.insert(running(id));
    requests.update(id, "success", Instant.now(), "restarted");
    // then
    assertThat(requests.get(id).orElseThrow().state()).isEqualTo("success");
    assertThat(requests.unwrittenCount()).isEqualTo(1);
    // when it is back
    store.unavailable(false);
    requests.flush();
    // then
    assertThat(requests.unwrittenCount()).isZero();
    assertThat(store.get(id).orElseThrow().message()).isEqualTo("restarted");
  }

  @Test
  void should_answer_a_running_request_from_memory_and_an_ended_one_from_the_store() {
    // given
    UUID running = UUID.randomUUID();
    UUID ended = UUID.randomUUID();
    requests.insert(running(running));
    requests.insert(running(ended));
    requests.update(ended, "error", Instant.now(), "stop command failed");
    store.unavailable(true);
    // when
    var fromMemory = requests.get(running);
    // then
    assertThat(fromMemory.orElseThrow().state()).isEqualTo("running");
    store.unavailable(false);
    int writes = store.writes();
    assertThat(requests.get(ended).orElseThrow().message()).isEqualTo("stop command failed");
    assertThat(store.writes()).isEqualTo(writes);
  }

  @Test
  void should_not_undo_a_cancel_asked_for_on_another_instance() {
    // given
    UUID id = UUID.randomUUID();
    requests.insert(running(id));
    // when: another instance asks for a cancel, then this one records a step
    store.requestCancel(id);
    requests.update(id, "running", null, "step 2 of 3");
    // then
    assertThat(requests.cancelRequested(id)).isTrue();
  }
}
