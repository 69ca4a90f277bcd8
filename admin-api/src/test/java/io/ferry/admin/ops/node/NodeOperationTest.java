package io.ferry.admin.ops.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.admin.agent.RepairRunner;
import io.ferry.admin.testing.FakeNodeAgent;
import io.ferry.admin.testing.FakeProcesses;
import org.junit.jupiter.api.Test;

class NodeOperationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeNodeAgent agent = new FakeNodeAgent();
  private final FakeProcesses processes = new FakeProcesses();
  private final NodeTarget node = new NodeTarget("origin", "10.0.0.1", agent, processes);

  private static ObjectNode arguments(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void should_clean_up_every_replicated_keyspace_when_none_is_named() throws Exception {
    // when
    String message = new Cleanup().run(node, arguments("{\"keyspace\": \"\", \"tables\": []}"));
    // then
    assertThat(message).isEqualTo("cleaned up all keyspaces");
    assertThat(agent.calls())
        .containsExactly("keyspaces 10.0.0.1 replicated", "cleanup 10.0.0.1 shop []");
  }

  @Test
  void should_flush_every_keyspace_or_the_named_tables() throws Exception {
    // when
    String all = new Flush().run(node, arguments("{\"keyspace\": \"\"}"));
    String some =
        new Flush().run(node, arguments("{\"keyspace\": \"shop\", \"tables\": [\"cart\"]}"));
    // then
    assertThat(all).isEqualTo("flushed all keyspaces");
    assertThat(some).isEqualTo("flushed shop [cart]");
    assertThat(agent.calls())
        .containsExactly(
            "keyspaces 10.0.0.1",
            "flush 10.0.0.1 shop []",
            "flush 10.0.0.1 system []",
            "flush 10.0.0.1 shop [cart]");
  }

  @Test
  void should_drain_before_a_restart_when_asked_and_stop_before_it_starts() throws Exception {
    // when
    String message =
        new Restart().run(node, arguments("{\"drain_first\": true, \"wait_for_cassandra\": true}"));
    // then
    assertThat(message).isEqualTo("restarted; answers CQL");
    assertThat(agent.calls()).containsExactly("drain 10.0.0.1");
    assertThat(processes.calls()).containsExactly("stop 10.0.0.1", "start 10.0.0.1");
  }

  @Test
  void should_repair_in_the_nodes_own_datacenter_when_local_and_fail_with_the_repairs_messages()
      throws Exception {
    // given
    ObjectNode local =
        arguments(
            "{\"keyspace\": \"shop\", \"tables\": [\"cart\"], \"is_sequential\": false,"
                + " \"is_local\": true, \"primary_range\": false}");
    // when
    String message = new Repair().run(node, local);
    agent.withRepairStatus(RepairRunner.Status.FAILED);
    // then
    assertThat(message).isEqualTo("repaired shop [cart]");
    assertThat(agent.calls())
        .containsExactly(
            "datacenter 10.0.0.1",
            "repair 10.0.0.1 shop {columnFamilies=cart, dataCenters=dc1, incremental=false,"
                + " parallelism=parallel, primaryRange=false}");
    assertThatThrownBy(() -> new Repair().run(node, local))
        .hasMessage("repair of shop failed: repair #7 FAILED");
  }

  @Test
  void should_not_move_a_node_already_at_its_token() throws Exception {
    // when
    String stays = new Move().run(node, arguments("{\"token\": \"0\"}"));
    String moves = new Move().run(node, arguments("{\"token\": \"42\"}"));
    // then
    assertThat(stays).isEqualTo("already at token 0");
    assertThat(moves).isEqualTo("moved from token 0 to 42");
    assertThat(agent.calls()).contains("move 10.0.0.1 42").doesNotContain("move 10.0.0.1 0");
  }
}
