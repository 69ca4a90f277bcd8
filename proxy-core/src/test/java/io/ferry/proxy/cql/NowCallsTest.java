package io.ferry.proxy.cql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NowCallsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // statement | with markers | marker indexes
        "INSERT INTO t (k, ts) VALUES (1, now()) | INSERT INTO t (k, ts) VALUES (1, ?) | 0",
        "INSERT INTO t (k, ts) VALUES (?, now()) | INSERT INTO t (k, ts) VALUES (?, ?) | 1",
        "INSERT INTO t (a, b, c) VALUES (now(), ?, NOW ( )) | INSERT INTO t (a, b, c) VALUES (?, ?, ?) | 0;2",
        "UPDATE t SET ts = system.now() WHERE k = ? | UPDATE t SET ts = ? WHERE k = ? | 0",
        "UPDATE t SET v = ? WHERE k = ? IF ts < now() | UPDATE t SET v = ? WHERE k = ? IF ts < ? | 2",
        "DELETE FROM t WHERE k = ? AND ts = now() | DELETE FROM t WHERE k = ? AND ts = ? | 1",
        "INSERT INTO t (k, ts) VALUES (:k, now()) | INSERT INTO t (k, ts) VALUES (:k, :zdm__now) | 1",
        "INSERT INTO t (k, u) VALUES (1, {f: now()}) | INSERT INTO t (k, u) VALUES (1, {f: ?}) | 0",
      })
  void should_find_now_calls_and_their_marker_positions(
      String cql, String withMarkers, String markerIndexes) {
    // when
    NowCalls calls = NowCalls.find(cql);
    // then
    assertThat(calls.replaceWithMarkers(cql)).isEqualTo(withMarkers);
    assertThat(calls.markerIndexes())
        .containsExactly(
            java.util.Arrays.stream(markerIndexes.split(";"))
                .mapToInt(Integer::parseInt)
                .toArray());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "INSERT INTO t (k, v) VALUES (1, 'now()')",
        "INSERT INTO t (k, \"now\") VALUES (1, 2)",
        "INSERT INTO t (k, v) VALUES (1, myks.now())",
        "INSERT INTO t (k, v) VALUES (1, now(1))",
        "INSERT INTO t (k, v) VALUES (1, now) -- now()",
        "INSERT INTO t (k, v) VALUES (1, currenttimeuuid())",
      })
  void should_leave_everything_that_is_not_a_call_of_system_now(String cql) {
    assertThat(NowCalls.find(cql).isEmpty()).isTrue();
  }

  @org.junit.jupiter.api.Test
  void should_replace_calls_with_literals_in_text_with_non_ascii_characters() {
    // given
    String cql = "INSERT INTO t (k, name, ts) VALUES ('clé', 'Zoë', now())";
    // when
    String replaced = NowCalls.find(cql).replace(cql, List.of("LITERAL"));
    // then
    assertThat(replaced).isEqualTo("INSERT INTO t (k, name, ts) VALUES ('clé', 'Zoë', LITERAL)");
  }
}
