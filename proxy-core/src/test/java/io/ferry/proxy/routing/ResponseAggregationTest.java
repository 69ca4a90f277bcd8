package io.ferry.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import io.ferry.proxy.common.ClusterRole;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseAggregationTest {

  @ParameterizedTest(name = "request {0}: origin {1}, target {2}, primary {3} -> {4}")
  @CsvSource({
    // both succeed: the primary's answer...
    "QUERY, RESULT, RESULT, ORIGIN, ORIGIN",
    "QUERY, RESULT, RESULT, TARGET, TARGET",
    "EXECUTE, RESULT, RESULT, TARGET, TARGET",
    "BATCH, RESULT, RESULT, TARGET, TARGET",
    // ...except PREPARE and STARTUP, always origin's
    "PREPARE, RESULT, RESULT, TARGET, ORIGIN",
    "STARTUP, READY, READY, TARGET, ORIGIN",
    // one fails: its error
    "QUERY, ERROR, RESULT, TARGET, ORIGIN",
    "QUERY, RESULT, ERROR, ORIGIN, TARGET",
    "PREPARE, RESULT, ERROR, ORIGIN, TARGET",
    // both fail: origin's
    "QUERY, ERROR, ERROR, TARGET, ORIGIN",
    "BATCH, ERROR, ERROR, ORIGIN, ORIGIN",
  })
  void should_choose_the_answer_like_the_zdm_proxy(
      String request, String origin, String target, ClusterRole primary, ClusterRole expected) {
    assertThat(ResponseAggregation.choose(opcode(request), opcode(origin), opcode(target), primary))
        .isEqualTo(expected);
  }

  private static int opcode(String name) {
    return switch (name) {
      case "QUERY" -> Opcode.QUERY;
      case "EXECUTE" -> Opcode.EXECUTE;
      case "BATCH" -> Opcode.BATCH;
      case "PREPARE" -> Opcode.PREPARE;
      case "STARTUP" -> Opcode.STARTUP;
      case "READY" -> Opcode.READY;
      case "RESULT" -> Opcode.RESULT;
      case "ERROR" -> Opcode.ERROR;
      default -> throw new IllegalArgumentException(name);
    };
  }
}
