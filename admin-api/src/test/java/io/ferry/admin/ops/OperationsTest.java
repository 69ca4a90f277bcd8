package io.ferry.admin.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.admin.WorkerPool;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.errors.OperationFailedException;
import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.requests.AdminRequest;
import io.ferry.admin.requests.LeaseTable;
import io.ferry.admin.requests.WriteThroughRequests;
import io.ferry.admin.testing.FakeNodeAgent;
import io.ferry.admin.testing.FakeProcesses;
import io.ferry.admin.testing.InMemoryLeaseTable;
import io.ferry.admin.testing.InMemoryRequestLog;
import io.ferry.admin.testing.TestClusters;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OperationsTest {

  private static final Duration TTL = Duration.ofSeconds(30);
  private static final String NODE1 = "10.0.0.1";
  private static final String NODE2 = "10.0.0.2";

  private final FakeNodeAgent agent = new FakeNodeAgent();
  private final FakeProcesses processes = new FakeProcesses();
  private final InMemoryRequestLog store = new InMemoryRequestLog();
  private final WriteThroughRequests requests = new WriteThroughRequests("origin", store);
  private final InMemoryLeaseTable leaseTable = new InMemoryLeaseTable();
  private final ManagedCluster cluster =
      TestClusters.cluster(
          "origin", agent, processes, requests, TestClusters.leases(leaseTable, "ferry-a", TTL));
  private final WorkerPool pool = new WorkerPool("admin-operation", 4, "operation-threads");
  private final CountDownLatch gate = new CountDownLatch(1);

  @BeforeAll
  static void pollOften() {
    Awaitility.setDefaultPollInterval(Duration.ofMillis(5));
    Awaitility.setDefaultPollDelay(Duration.ZERO);
  }

  @AfterAll
  static void pollAsUsual() {
    Awaitility.reset();
  }

  @AfterEach
  void stop() {
    gate.countDown();
    pool.close();
  }

  private Operations operations(Duration wait) {
    return new Operations(Map.of("origin", cluster), pool, wait);
  }

  private static Step step(String action, String ip, ObjectNode arguments) {
    return new Step(Operations.newId(), action, ip, arguments);
  }

  private static Step step(String action, String ip) {
    return step(action, ip, OperationArguments.JSON.createObjectNode());
  }

  private static ObjectNode keyspace(String keyspace, String... tables) {
    ObjectNode arguments = OperationArguments.JSON.createObjectNode();
    arguments.put("keyspace", keyspace);
    arguments.set("tables", OperationArguments.JSON.valueToTree(List.of(tables)));
    return arguments;
  }

  /**
   * Starts a rolling job of these garbage collections, whose first one hangs until the test opens
   * {@link #gate}, and waits until it hangs.
   *
   * @return the job's id
   */
  private UUID startHangingJob(Operations operations, List<Step> steps) {
    agent.waitingFor("gc " + steps.get(0).ip(), gate);
    UUID id = Operations.newId();
    operations.startJob(
        cluster, id, new JobPlan(JobPlan.BULK_OPERATIONS, steps, true, 0, "job/" + id), "test");
    await().until(() -> agent.calls().contains("gc " + steps.get(0).ip()));
    return id;
  }

  /** Another instance takes the job's lease, once it has expired. */
  private void leaseTakenOverByAnotherInstance(UUID job) {
    leaseTable.advance(TTL.plusSeconds(1));
    leaseTable.takeOver("job/" + job, new LeaseTable.Holder("ferry-b", job), TTL);
  }

  private AdminRequest stored(UUID id) {
    return store.get(id).orElseThrow();
  }

  @Test
  void should_answer_done_once_the_operation_succeeded_within_the_wait() throws Exception {
    // given
    Operations operations = operations(Duration.ofSeconds(5));
    Step flush = step("flush", NODE1, keyspace("shop", "cart"));
    // when
    Operations.Progress progress = operations.await(operations.start(cluster, flush, "test"));
    // then
    assertThat(progress).isEqualTo(new Operations.Progress.Done("flushed shop [cart]"));
    assertThat(agent.calls()).containsExactly("flush 10.0.0.1 shop [cart]");
    assertThat(stored(flush.id()).state()).isEqualTo(AdminRequest.SUCCESS);
    assertThat(stored(flush.id()).message()).isEqualTo("flushed shop [cart]");
    assertThat(leaseTable.read("node/" + NODE1)).as("the node's lease, given back").isNull();
  }

  @Test
  void should_fail_with_the_nodes_error_and_record_it() throws Exception {
    // given
    agent.failing("gc 10.0.0.1", new IllegalStateException("GC overhead limit exceeded"));
    Operations operations = operations(Duration.ofSeconds(5));
    Step gc = step("perform_gc", NODE1);
    // when
    Operations.Started started = operations.start(cluster, gc, "test");
    // then
    assertThatThrownBy(() -> operations.await(started))
        .isInstanceOf(OperationFailedException.class)
        .hasMessage("request " + gc.id() + " failed: GC overhead limit exceeded");
    assertThat(stored(gc.id()).state()).isEqualTo(AdminRequest.ERROR);
    assertThat(stored(gc.id()).message()).isEqualTo("GC overhead limit exceeded");
  }

  @Test
  void should_answer_still_running_then_refuse_a_second_operation_on_the_busy_node()
      throws Exception {
    // given: a garbage collection that takes longer than the wait
    agent.waitingFor("gc 10.0.0.1", gate);
    Operations operations = operations(Duration.ZERO);
    Step gc = step("perform_gc", NODE1);
    // when
    Operations.Progress progress = operations.await(operations.start(cluster, gc, "test"));
    // then
    assertThat(progress).isEqualTo(new Operations.Progress.StillRunning(gc.id()));
    assertThatThrownBy(() -> operations.start(cluster, step("drain", NODE1), "test"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("node 10.0.0.1 is busy with request " + gc.id());
    // when the node is done
    gate.countDown();
    // then
    await().until(() -> stored(gc.id()).state().equals(AdminRequest.SUCCESS));
    assertThat(agent.calls()).containsExactly("gc 10.0.0.1");
  }

  @Test
  void should_answer_how_a_running_operation_stands_while_its_store_is_down() throws Exception {
    // given: the store's cluster goes down once the operation has started
    agent.waitingFor("gc 10.0.0.1", gate);
    Operations operations = operations(Duration.ZERO);
    Step gc = step("perform_gc", NODE1);
    operations.start(cluster, gc, "test");
    store.unavailable(true);
    // when
    Operations.Found running = operations.find(gc.id());
    gate.countDown();
    await().until(() -> operations.find(gc.id()).request().state().equals(AdminRequest.SUCCESS));
    // then: answered from the instance running it, and written once the store is back
    assertThat(running.request().state()).isEqualTo(AdminRequest.RUNNING);
    assertThat(requests.unwrittenCount()).isEqualTo(1);
    store.unavailable(false);
    requests.flush();
    assertThat(requests.unwrittenCount()).isZero();
    assertThat(stored(gc.id()).state()).isEqualTo(AdminRequest.SUCCESS);
  }

  @Test
  void should_refuse_an_operation_naming_the_pool_when_it_is_full() throws Exception {
    // given: a pool of one thread, busy
    try (WorkerPool one = new WorkerPool("admin-operation", 1, "ferry.admin.operation-threads")) {
      agent.waitingFor("gc 10.0.0.1", gate);
      Operations operations = new Operations(Map.of("origin", cluster), one, Duration.ZERO);
      operations.start(cluster, step("perform_gc", NODE1), "test");
      Step second = step("perform_gc", NODE2);
      // when / then
      assertThatThrownBy(() -> operations.start(cluster, second, "test"))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("the admin-operation pool is full: all its 1 threads are busy")
          .hasMessageContaining("ferry.admin.operation-threads");
      assertThat(stored(second.id()).state()).isEqualTo(AdminRequest.ERROR);
      assertThat(leaseTable.read("node/" + NODE2)).isNull();
    }
  }

  @Test
  void should_run_a_rolling_restart_node_by_node_and_record_each_step() throws Exception {
    // given
    Operations operations = operations(Duration.ZERO);
    ObjectNode arguments = OperationArguments.JSON.createObjectNode();
    arguments.put("wait_for_cassandra", true);
    List<Step> steps =
        List.of(step("restart", NODE1, arguments), step("restart", NODE2, arguments));
    JobPlan plan = new JobPlan(JobPlan.ROLLING_RESTART, steps, true, 0, JobPlan.ROLLING_RESTART);
    UUID id = Operations.newId();
    // when
    operations.startJob(cluster, id, plan, "test");
    // then
    await().until(() -> stored(id).state().equals(AdminRequest.SUCCESS));
    assertThat(processes.calls())
        .containsExactly("stop 10.0.0.1", "start 10.0.0.1", "stop 10.0.0.2", "start 10.0.0.2");
    assertThat(steps).allSatisfy(s -> assertThat(stored(s.id()).state()).isEqualTo("success"));
    assertThat(stored(id).message()).isEqualTo("all 2 steps done");
    assertThat(store.latest(JobPlan.ROLLING_RESTART, 1)).containsExactly(id);
  }

  @Test
  void should_stop_a_job_whose_lease_another_instance_took_while_it_was_paused() throws Exception {
    // given: a job whose first step hangs (as a paused process would) until another instance has
    // taken its lease over
    Operations operations = operations(Duration.ZERO);
    List<Step> steps = List.of(step("perform_gc", NODE1), step("perform_gc", NODE2));
    UUID id = startHangingJob(operations, steps);
    leaseTakenOverByAnotherInstance(id);
    // when
    gate.countDown();
    await().until(() -> stored(steps.get(0).id()).state().equals(AdminRequest.SUCCESS));
    Thread.sleep(100);
    // then: it does not act again, and leaves the job to its new holder
    assertThat(agent.calls()).containsExactly("gc 10.0.0.1");
    assertThat(stored(id).state()).isEqualTo(AdminRequest.RUNNING);
    assertThat(leaseTable.read("job/" + id)).isEqualTo(new LeaseTable.Holder("ferry-b", id));
  }

  @Test
  void should_leave_the_end_of_a_job_to_the_instance_that_took_its_lease() throws Exception {
    // given: a one-step job whose step hangs until another instance has taken its lease over
    Operations operations = operations(Duration.ZERO);
    List<Step> steps = List.of(step("perform_gc", NODE1));
    UUID id = startHangingJob(operations, steps);
    leaseTakenOverByAnotherInstance(id);
    // when
    gate.countDown();
    await().until(() -> stored(steps.get(0).id()).state().equals(AdminRequest.SUCCESS));
    Thread.sleep(100);
    // then
    assertThat(stored(id).state()).isEqualTo(AdminRequest.RUNNING);
  }

  @Test
  void should_take_over_a_job_whose_instance_stopped_from_its_first_step_not_done()
      throws Exception {
    // given: a job another instance started, whose first step succeeded, and whose lease expired
    List<Step> steps = List.of(step("perform_gc", NODE1), step("perform_gc", NODE2));
    UUID id = Operations.newId();
    JobPlan plan = new JobPlan(JobPlan.BULK_OPERATIONS, steps, true, 0, "job/" + id);
    Instant started = Instant.now();
    store.insert(
        new AdminRequest(
            steps.get(0).id(),
            "origin",
            "perform_gc",
            "success",
            started,
            started,
            "done",
            id,
            List.of(),
            OperationArguments.JSON.writeValueAsString(steps.get(0)),
            false,
            "test"));
    store.insert(
        new AdminRequest(
            steps.get(1).id(),
            "origin",
            "perform_gc",
            "pending",
            started,
            null,
            "pending",
            id,
            List.of(),
            OperationArguments.JSON.writeValueAsString(steps.get(1)),
            false,
            "test"));
    store.insert(
        new AdminRequest(
            id,
            "origin",
            JobPlan.BULK_OPERATIONS,
            "running",
            started,
            null,
            "running",
            null,
            List.of(steps.get(0).id(), steps.get(1).id()),
            OperationArguments.JSON.writeValueAsString(plan),
            false,
            "test"));
    Operations operations = operations(Duration.ZERO);
    // when
    operations.takeOver();
    // then
    await().until(() -> stored(id).state().equals(AdminRequest.SUCCESS));
    assertThat(agent.calls()).containsExactly("gc 10.0.0.2");
  }

  @Test
  void should_cancel_a_job_before_its_next_step() throws Exception {
    // given
    Operations operations = operations(Duration.ZERO);
    List<Step> steps = List.of(step("perform_gc", NODE1), step("perform_gc", NODE2));
    UUID id = startHangingJob(operations, steps);
    // when
    operations.cancel(id, "test");
    gate.countDown();
    // then
    await().until(() -> stored(id).state().equals(AdminRequest.ERROR));
    assertThat(stored(id).message()).isEqualTo("cancelled");
    assertThat(stored(steps.get(1).id()).message()).isEqualTo("not run: cancelled");
    assertThat(agent.calls()).containsExactly("gc 10.0.0.1");
    assertThatThrownBy(() -> operations.cancel(id, "test"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("has already ended (error)");
  }
}
