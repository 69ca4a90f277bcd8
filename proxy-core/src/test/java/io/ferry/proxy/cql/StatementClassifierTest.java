package io.ferry.proxy.cql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.proxy.cql.CqlStatement.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatementClassifierTest {

  static Stream<Arguments> statements() {
    return Stream.of(
        // the Java driver's own system queries
        row("SELECT * FROM system.local", Kind.SELECT, "system", "local"),
        row("SELECT * FROM system.local WHERE key='local'", Kind.SELECT, "system", "local"),
        row("SELECT * FROM system.peers_v2", Kind.SELECT, "system", "peers_v2"),
        row("SELECT * FROM system.peers", Kind.SELECT, "system", "peers"),
        row("SELECT peer, rpc_address FROM system.peers", Kind.SELECT, "system", "peers"),
        row("SELECT * FROM system_schema.keyspaces", Kind.SELECT, "system_schema", "keyspaces"),
        row("SELECT count(*) FROM system.peers", Kind.SELECT, "system", "peers"),
        row(
            "SELECT schema_version FROM system.local WHERE key='local'",
            Kind.SELECT,
            "system",
            "local"),
        // case
        row("select * from system.local", Kind.SELECT, "system", "local"),
        row("SeLeCt * FrOm SYSTEM.Local", Kind.SELECT, "system", "local"),
        row("SELECT * FROM MyKs.MyTable", Kind.SELECT, "myks", "mytable"),
        row("SELECT * FROM \"MyKs\".\"MyTable\"", Kind.SELECT, "MyKs", "MyTable"),
        row("SELECT * FROM \"My\"\"Ks\".t", Kind.SELECT, "My\"Ks", "t"),
        row("SELECT * FROM \"select\".\"from\"", Kind.SELECT, "select", "from"),
        // non-ASCII in quoted identifiers and literals
        row("SELECT * FROM ks.\"Tablé ✓\"", Kind.SELECT, "ks", "Tablé ✓"),
        row("SELECT * FROM \"日本\".t", Kind.SELECT, "日本", "t"),
        row("SELECT \"naïve\", 'ü' FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT * FROM ks.t WHERE k = 'ünïcödé 日本 ✓ FROM x.y'", Kind.SELECT, "ks", "t"),
        // qualification with whitespace and comments between the tokens
        row("SELECT * FROM system . local", Kind.SELECT, "system", "local"),
        row("SELECT * FROM system\n.\r\nlocal", Kind.SELECT, "system", "local"),
        row("SELECT * FROM system/* c */./* c */local", Kind.SELECT, "system", "local"),
        row("SELECT * FROM system -- c\n. // c\nlocal", Kind.SELECT, "system", "local"),
        row("SELECT*FROM system.local", Kind.SELECT, "system", "local"),
        row("SELECT * FROM local", Kind.SELECT, null, "local"),
        row("SELECT * FROM t;", Kind.SELECT, null, "t"),
        // comments in every position
        row(
            "/* c */SELECT/* c */*/* c */FROM/* c */system/* c */./* c */local/* c */",
            Kind.SELECT,
            "system",
            "local"),
        row("-- c\nSELECT * FROM system.local -- c", Kind.SELECT, "system", "local"),
        row("// c\nSELECT * // FROM x.y\nFROM system.local", Kind.SELECT, "system", "local"),
        row("SELECT a /* FROM x.y */ FROM ks.t", Kind.SELECT, "ks", "t"),
        row(" \n\t SELECT * FROM ks.t", Kind.SELECT, "ks", "t"),
        // selectors that hide a FROM or nest parentheses
        row("SELECT \"from\" FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT a AS \"FROM\" FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT 'from', $$ FROM x.y $$ FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT CAST(x AS int) FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT writetime(v), ttl(v), token(k) FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT f(g(h(x)), 'from') FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT m['from'], l[0], u.field FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT JSON * FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT DISTINCT k FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT JSON DISTINCT k FROM ks.t", Kind.SELECT, "ks", "t"),
        row("SELECT * FROM ks.t WHERE v : 'term' OR w = 1", Kind.SELECT, "ks", "t"),
        row("SELECT * FROM ks.t WHERE solr_query = '{\"q\":\"*:*\"}'", Kind.SELECT, "ks", "t"),
        // a SELECT without a recognisable FROM
        row("SELECT", Kind.SELECT, null, null),
        row("SELECT a, b", Kind.SELECT, null, null),
        row("SELECT * FROM", Kind.SELECT, null, null),
        row("SELECT * FROM ks.", Kind.SELECT, null, null),
        row("SELECT * FROM 'ks'.t", Kind.SELECT, null, null),
        row("SELECT * FROM ks.'t'", Kind.SELECT, null, null),
        row("SELECT * FROM \"unterminated", Kind.SELECT, null, null),
        row("SELECT 'unterminated FROM ks.t", Kind.SELECT, null, null),
        row("SELECT count(* FROM ks.t", Kind.SELECT, null, null),
        // writes
        row("INSERT INTO ks.t (a, b) VALUES (1, 'FROM x.y')", Kind.INSERT, "ks", "t"),
        row("insert into T (a) values (?)", Kind.INSERT, null, "t"),
        row("INSERT INTO \"Ks\".\"T\" JSON '{\"a\": 1}'", Kind.INSERT, "Ks", "T"),
        row("INSERT INTO ks.t(a) VALUES (1) IF NOT EXISTS", Kind.INSERT, "ks", "t"),
        row("INSERT", Kind.INSERT, null, null),
        row("INSERT ks.t (a) VALUES (1)", Kind.INSERT, null, null),
        row("UPDATE ks.t SET a = 1 WHERE k = 0", Kind.UPDATE, "ks", "t"),
        row("UPDATE ks.t USING TTL 10 SET a = 1 WHERE k = 0 IF a = 2", Kind.UPDATE, "ks", "t"),
        row("update T set a = 1", Kind.UPDATE, null, "t"),
        row("UPDATE", Kind.UPDATE, null, null),
        row("DELETE FROM ks.t WHERE k = 1", Kind.DELETE, "ks", "t"),
        row("DELETE a, m['from'] FROM ks.t WHERE k = 1", Kind.DELETE, "ks", "t"),
        row("DELETE \"from\" FROM t WHERE k = 1", Kind.DELETE, null, "t"),
        row("DELETE FROM ks.t USING TIMESTAMP 1 WHERE k = 1", Kind.DELETE, "ks", "t"),
        row("DELETE", Kind.DELETE, null, null),
        // batches
        row("BEGIN BATCH INSERT INTO ks.t (a) VALUES (1); APPLY BATCH", Kind.BATCH, null, null),
        row("BEGIN UNLOGGED BATCH UPDATE ks.t SET a = 1; APPLY BATCH", Kind.BATCH, null, null),
        row("begin counter batch update ks.c set n = n + 1; apply batch", Kind.BATCH, null, null),
        row("BEGIN BATCH USING TIMESTAMP 1 DELETE FROM t; APPLY BATCH", Kind.BATCH, null, null),
        row("/* c */ BEGIN /* c */ BATCH", Kind.BATCH, null, null),
        row("BEGIN TRANSACTION SELECT * FROM ks.t; COMMIT TRANSACTION", Kind.OTHER, null, null),
        row("BEGIN UNLOGGED", Kind.OTHER, null, null),
        row("BEGIN", Kind.OTHER, null, null),
        // USE
        row("USE ks", Kind.USE, "ks", null),
        row("use MyKs;", Kind.USE, "myks", null),
        row("USE \"MyKs\"", Kind.USE, "MyKs", null),
        row("USE /* c */ \"Kś\"", Kind.USE, "Kś", null),
        row("USE", Kind.USE, null, null),
        row("USE 'ks'", Kind.USE, null, null),
        // CALL
        row("CALL InsightsRpc.reportInsight(?)", Kind.INSIGHTS_RPC_CALL, null, null),
        row("call insightsrpc.reportInsight('{}')", Kind.INSIGHTS_RPC_CALL, null, null),
        row("CALL \"InsightsRpc\".reportInsight(?)", Kind.INSIGHTS_RPC_CALL, null, null),
        row("CALL INSIGHTSRPC . reportInsight(?)", Kind.INSIGHTS_RPC_CALL, null, null),
        row("CALL OtherRpc.method(?)", Kind.OTHER, null, null),
        row("CALL InsightsRpcX.reportInsight(?)", Kind.OTHER, null, null),
        row("CALL InsightsRpc", Kind.OTHER, null, null),
        row("CALL", Kind.OTHER, null, null),
        // everything else
        row("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy'}", Kind.OTHER),
        row("CREATE TABLE ks.t (k int PRIMARY KEY)", Kind.OTHER),
        row("ALTER TABLE ks.t ADD v text", Kind.OTHER),
        row("DROP TABLE ks.t", Kind.OTHER),
        row("TRUNCATE ks.t", Kind.OTHER),
        row("GRANT SELECT ON ks.t TO role", Kind.OTHER),
        row("REVOKE SELECT ON ks.t FROM role", Kind.OTHER),
        row("LIST ROLES", Kind.OTHER),
        row("g.V().has('name', 'SELECT').count()", Kind.OTHER),
        row("", Kind.OTHER),
        row(" \n ", Kind.OTHER),
        row("-- only a comment", Kind.OTHER),
        row("/* unterminated SELECT * FROM ks.t", Kind.OTHER),
        row(";", Kind.OTHER),
        row("(SELECT * FROM ks.t)", Kind.OTHER),
        row("'SELECT' * FROM ks.t", Kind.OTHER),
        row("\"SELECT\" * FROM ks.t", Kind.OTHER),
        row("SELECTS * FROM ks.t", Kind.OTHER),
        row("\u0000SELECT * FROM ks.t", Kind.OTHER),
        row("\uFEFFSELECT * FROM ks.t", Kind.OTHER),
        row("#!", Kind.OTHER),
        row("42", Kind.OTHER));
  }

  @ParameterizedTest
  @MethodSource("statements")
  void should_classify_statement(String cql, CqlStatement expected) {
    // given a statement

    // when
    CqlStatement statement = StatementClassifier.classify(cql);

    // then
    assertThat(statement).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("statements")
  void should_classify_statement_in_a_region_without_reading_around_it(
      String cql, CqlStatement expected) {
    // given a statement between bytes that would change the result if they were read
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
    try {
      buf.writeCharSequence("SELECT * FROM ks.", StandardCharsets.UTF_8);
      int index = buf.writerIndex();
      int length = buf.writeCharSequence(cql, StandardCharsets.UTF_8);
      buf.writeCharSequence("z'\"*/", StandardCharsets.UTF_8);

      // when
      CqlStatement statement = StatementClassifier.classify(buf, index, length);

      // then
      assertThat(statement).isEqualTo(expected);
    } finally {
      buf.release();
    }
  }

  @Test
  void should_leave_the_buffer_indexes_untouched() {
    // given a frame-like buffer whose body was partly read, and a slice of it
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
    try {
      buf.writeZero(9); // a frame header
      int length = buf.writeCharSequence("SELECT * FROM system.local", StandardCharsets.UTF_8);
      buf.writeShort(1); // a consistency level
      buf.readerIndex(9);
      ByteBuf slice = buf.slice(9, length);

      // when
      CqlStatement fromBuffer = StatementClassifier.classify(buf, 9, length);
      CqlStatement fromSlice = StatementClassifier.classify(slice, 0, length);

      // then
      assertThat(fromBuffer).isEqualTo(new CqlStatement(Kind.SELECT, "system", "local"));
      assertThat(fromSlice).isEqualTo(fromBuffer);
      assertThat(buf.readerIndex()).isEqualTo(9);
      assertThat(buf.writerIndex()).isEqualTo(9 + length + 2);
      assertThat(slice.readerIndex()).isZero();
      assertThat(slice.writerIndex()).isEqualTo(length);
    } finally {
      buf.release();
    }
  }

  @Test
  void should_share_one_result_per_kind_for_statements_without_names() {
    // given
    String create = "CREATE TABLE ks.t (k int PRIMARY KEY)";
    String drop = "DROP TABLE ks.t";

    // when
    CqlStatement first = StatementClassifier.classify(create);
    CqlStatement second = StatementClassifier.classify(drop);

    // then
    assertThat(first).isSameAs(second);
    assertThat(StatementClassifier.classify("BEGIN BATCH APPLY BATCH"))
        .isSameAs(StatementClassifier.classify("BEGIN UNLOGGED BATCH APPLY BATCH"));
  }

  @Test
  void should_reject_a_region_outside_the_buffer() {
    // given
    ByteBuf buf = Unpooled.wrappedBuffer("SELECT".getBytes(StandardCharsets.UTF_8));
    try {
      // when / then
      assertThatThrownBy(() -> StatementClassifier.classify(buf, 2, 5))
          .isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessage("index: 2, length: 5 (expected: range(0, 6))");
      assertThatThrownBy(() -> StatementClassifier.classify(buf, -1, 1))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> StatementClassifier.classify(buf, 0, -1))
          .isInstanceOf(IndexOutOfBoundsException.class);
    } finally {
      buf.release();
    }
  }

  @Test
  void should_never_throw_on_random_bytes() {
    // given
    Random random = new Random(7L);
    byte[] alphabet =
        "SELECTFROMselectfrom.(),;*'\"$-/ \n\téü\u0000".getBytes(StandardCharsets.UTF_8);
    for (int run = 0; run < 50_000; run++) {
      byte[] bytes = new byte[random.nextInt(64)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] =
            run % 2 == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
      }
      ByteBuf utf8 = Unpooled.wrappedBuffer(bytes);
      try {
        // when / then
        assertThatCode(() -> StatementClassifier.classify(utf8, 0, bytes.length))
            .doesNotThrowAnyException();
      } finally {
        utf8.release();
      }
    }
  }

  static Stream<String> statementTexts() {
    return statements().map(arguments -> (String) arguments.get()[0]);
  }

  @ParameterizedTest
  @MethodSource("statementTexts")
  void should_never_throw_on_truncated_or_corrupted_statements(String cql) {
    // given
    byte[] bytes = cql.getBytes(StandardCharsets.UTF_8);
    ByteBuf utf8 = Unpooled.wrappedBuffer(bytes);
    Random random = new Random(cql.hashCode());
    try {
      for (int start = 0; start <= bytes.length; start++) {
        for (int end = start; end <= bytes.length; end++) {
          int index = start;
          int length = end - start;

          // when / then
          assertThatCode(() -> StatementClassifier.classify(utf8, index, length))
              .doesNotThrowAnyException();
        }
      }
      for (int run = 0; run < 200 && bytes.length > 0; run++) {
        byte[] corrupted = bytes.clone();
        corrupted[random.nextInt(corrupted.length)] = (byte) random.nextInt(256);
        ByteBuf corruptedUtf8 = Unpooled.wrappedBuffer(corrupted);
        try {
          assertThatCode(() -> StatementClassifier.classify(corruptedUtf8, 0, corrupted.length))
              .doesNotThrowAnyException();
        } finally {
          corruptedUtf8.release();
        }
      }
    } finally {
      utf8.release();
    }
  }

  private static Arguments row(String cql, Kind kind) {
    return row(cql, kind, null, null);
  }

  private static Arguments row(String cql, Kind kind, String keyspace, String table) {
    return Arguments.of(cql, new CqlStatement(kind, keyspace, table));
  }
}
