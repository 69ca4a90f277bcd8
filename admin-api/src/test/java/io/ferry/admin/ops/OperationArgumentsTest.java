package io.ferry.admin.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.admin.errors.InvalidArgumentsException;
import org.junit.jupiter.api.Test;

class OperationArgumentsTest {

  private static JsonNode json(String text) throws Exception {
    return OperationArguments.body(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void should_default_process_flags_as_opscenter_does() throws Exception {
    assertThat(OperationArguments.process(NodeAction.RESTART, null).toString())
        .isEqualTo("{\"drain_first\":false,\"wait_for_cassandra\":true}");
    assertThat(
            OperationArguments.process(NodeAction.STOP, json("{\"drain_first\": true}")).toString())
        .isEqualTo("{\"drain_first\":true}");
    assertThat(OperationArguments.process(NodeAction.START, json("")).toString())
        .isEqualTo("{\"wait_for_cassandra\":true}");
  }

  @Test
  void should_refuse_unknown_fields_and_wrong_types_naming_them() {
    assertThatThrownBy(
            () ->
                OperationArguments.process(NodeAction.STOP, json("{\"wait_for_cassandra\": true}")))
        .isInstanceOf(InvalidArgumentsException.class)
        .hasMessageContaining("unknown field wait_for_cassandra")
        .hasMessageContaining("drain_first");
    assertThatThrownBy(
            () ->
                OperationArguments.process(NodeAction.RESTART, json("{\"drain_first\": \"yes\"}")))
        .isInstanceOf(InvalidArgumentsException.class)
        .hasMessageContaining("drain_first: \"yes\"");
    assertThatThrownBy(() -> OperationArguments.process(NodeAction.RESTART, json("[1]")))
        .isInstanceOf(InvalidArgumentsException.class)
        .hasMessageContaining("expected a JSON object");
  }

  @Test
  void should_accept_a_token_as_a_json_string_or_integer_only() throws Exception {
    assertThat(
            OperationArguments.move(json("\"85070591730234615865843651857942052864\""))
                .get("token")
                .asText())
        .isEqualTo("85070591730234615865843651857942052864");
    assertThat(OperationArguments.move(json("-42")).get("token").asText()).isEqualTo("-42");
    assertThatThrownBy(() -> OperationArguments.move(json("\"1e5\"")))
        .isInstanceOf(InvalidArgumentsException.class)
        .hasMessageContaining("1e5");
    assertThatThrownBy(() -> OperationArguments.move(null))
        .isInstanceOf(InvalidArgumentsException.class)
        .hasMessageContaining("new token");
  }

  @Test
  void should_name_the_bulk_actions_when_one_is_unknown() {
    assertThatThrownBy(() -> NodeAction.bulkAction("decommission"))
        .isInstanceOf(InvalidArgumentsException.class)
        .hasMessageContaining("cleanup, compact, flush, perform_gc, repair, restart, start, stop");
  }

  @Test
  void should_bound_the_sleep_between_steps() throws Exception {
    assertThat(OpsRoutes.sleepSeconds(null)).isEqualTo(60);
    assertThat(OpsRoutes.sleepSeconds(json("1.5"))).isEqualTo(2);
    assertThatThrownBy(() -> OpsRoutes.sleepSeconds(json("-1")))
        .isInstanceOf(InvalidArgumentsException.class)
        .hasMessageContaining("sleep: -1");
    assertThatThrownBy(() -> OpsRoutes.sleepSeconds(json("\"soon\"")))
        .isInstanceOf(InvalidArgumentsException.class);
  }
}
