package io.ferry.proxy.cql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ferry.proxy.cql.SelectClause.Selector;
import io.ferry.proxy.cql.SelectClause.Selector.Column;
import io.ferry.proxy.cql.SelectClause.Selector.Count;
import io.ferry.proxy.cql.SelectClause.Selector.Star;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SelectClauseTest {

  static Stream<Arguments> supportedClauses() {
    return Stream.of(
        Arguments.of("SELECT * FROM system.local", List.of(new Star())),
        Arguments.of("SELECT * FROM system.local WHERE key='local'", List.of(new Star())),
        Arguments.of("SELECT*FROM system.peers", List.of(new Star())),
        Arguments.of(
            "SELECT peer, rpc_address FROM system.peers",
            List.of(new Column("peer", null), new Column("rpc_address", null))),
        Arguments.of(
            "SELECT schema_version FROM system.local WHERE key='local'",
            List.of(new Column("schema_version", null))),
        Arguments.of("SELECT count(*) FROM system.peers", List.of(new Count(null))),
        Arguments.of("SELECT COUNT(1) FROM system.peers", List.of(new Count(null))),
        Arguments.of("SELECT count(*) AS n FROM system.peers", List.of(new Count("n"))),
        Arguments.of("SELECT Count ( * ) as \"N\" FROM system.peers", List.of(new Count("N"))),
        Arguments.of(
            "SELECT rpc_address AS address, \"Host_ID\" AS \"Id\" FROM system.peers",
            List.of(new Column("rpc_address", "address"), new Column("Host_ID", "Id"))),
        Arguments.of("select PEER As Host from system.peers", List.of(new Column("peer", "host"))),
        Arguments.of(
            "SELECT /* c */ peer /* c */, -- c\n data_center // c\nFROM system.peers",
            List.of(new Column("peer", null), new Column("data_center", null))),
        // JSON, DISTINCT and COUNT are also valid column names
        Arguments.of("SELECT json FROM system.local", List.of(new Column("json", null))),
        Arguments.of(
            "SELECT distinct AS d, count FROM system.local",
            List.of(new Column("distinct", "d"), new Column("count", null))),
        Arguments.of(
            "SELECT json, release_version FROM system.local",
            List.of(new Column("json", null), new Column("release_version", null))),
        Arguments.of("SELECT \"from\" FROM system.local", List.of(new Column("from", null))),
        Arguments.of("SELECT \"naïve ✓\" FROM system.local", List.of(new Column("naïve ✓", null))));
  }

  @ParameterizedTest
  @MethodSource("supportedClauses")
  void should_parse_supported_select_clause(String cql, List<Selector> expected) {
    // given a query on a system table

    // when
    SelectClause clause = SelectClause.parse(cql);

    // then
    assertThat(clause.selectors()).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "SELECT writetime(peer) FROM system.peers         | writetime(peer)",
        "SELECT peer, ttl(peer) AS t FROM system.peers    | ttl(peer) AS t",
        "SELECT JSON * FROM system.local                  | JSON",
        "SELECT json peer FROM system.peers               | JSON",
        "SELECT DISTINCT peer FROM system.peers           | DISTINCT",
        "SELECT CAST(peer AS text) FROM system.peers      | CAST(peer AS text)",
        "SELECT tokens + 1 FROM system.local              | tokens + 1",
        "SELECT now() FROM system.local                   | now()",
        "SELECT ks.fn(peer) FROM system.peers             | ks.fn(peer)",
        "SELECT 'from' FROM system.local                  | 'from'",
        "SELECT 42 FROM system.local                      | 42",
        "SELECT count(peer) FROM system.peers             | count(peer)",
        "SELECT count(2) FROM system.peers                | count(2)",
        "SELECT count(*) n FROM system.peers              | count(*) n",
        "SELECT peer AS FROM system.peers                 | peer AS",
        "SELECT peer data_center FROM system.peers        | peer data_center",
        "SELECT peer.x FROM system.peers                  | peer.x",
        "SELECT tokens[0] FROM system.local               | tokens[0]",
        "SELECT (peer) FROM system.peers                  | (peer)",
        "SELECT *, peer FROM system.peers                 | * among other selectors",
      })
  void should_reject_unsupported_selector_naming_it(String cql, String selector) {
    // given a query the proxy cannot answer

    // when
    Throwable thrown = catchThrowable(() -> SelectClause.parse(cql));

    // then
    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unsupported selector: %s (expected: *, column, column AS alias, count(*) or count(*)"
                + " AS alias)",
            selector);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "INSERT INTO t (a) VALUES (1)  | expected: a SELECT statement",
        "``                            | expected: a SELECT statement",
        "\"SELECT\" * FROM t           | expected: a SELECT statement",
        "SELECT peer, rpc_address      | expected: SELECT <selectors> FROM <table>",
        "SELECT 'unterminated FROM t   | expected: SELECT <selectors> FROM <table>",
        "SELECT count(* FROM t         | expected: SELECT <selectors> FROM <table>",
        "SELECT FROM system.local      | expected: a selector before each ',' and before FROM",
        "SELECT peer,, x FROM t        | expected: a selector before each ',' and before FROM",
        "SELECT peer, FROM t           | expected: a selector before each ',' and before FROM",
      })
  void should_reject_malformed_statement(String cql, String expectation) {
    // given a statement that is not a well-formed SELECT

    // when
    Throwable thrown = catchThrowable(() -> SelectClause.parse(cql));

    // then
    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("statement: " + cql + " (")
        .hasMessageEndingWith(expectation + ")");
  }

  @Test
  void should_keep_its_selectors_immutable() {
    // given
    SelectClause clause = SelectClause.parse("SELECT peer FROM system.peers");

    // when / then
    assertThatThrownBy(() -> clause.selectors().add(new Star()))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void should_only_throw_illegal_argument_on_random_input() {
    // given
    Random random = new Random(11L);
    byte[] alphabet = "SELECTFROMcountjsonas(),;*1'\"$-/ \n.é".getBytes(StandardCharsets.UTF_8);
    for (int run = 0; run < 20_000; run++) {
      byte[] bytes = new byte[random.nextInt(48)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String cql = (run % 2 == 0 ? "SELECT " : "") + new String(bytes, StandardCharsets.UTF_8);

      // when
      Throwable thrown = catchThrowable(() -> SelectClause.parse(cql));

      // then
      if (thrown != null) {
        assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
      }
    }
  }
}
