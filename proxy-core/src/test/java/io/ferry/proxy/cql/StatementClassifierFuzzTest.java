package io.ferry.proxy.cql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.routing.Router;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the CQL classifier, and everything else that reads a QUERY or PREPARE's text with the same
 * lexer before the request is forwarded: the {@code now()} finder, the {@code ORDER BY} check and
 * the routing decision; and the select-clause parser of the system tables Ferry answers itself (see
 * {@code proxy-core/FUZZING.md}). The input is the statement's bytes, UTF-8 or not.
 *
 * <p>Whatever the bytes: none of them throws (the select-clause parser only refuses with an {@link
 * IllegalArgumentException}); each reads only its region of the buffer, whatever surrounds it and
 * however the buffer is made (heap, direct, a composite as decompressed frames are), so that its
 * answer is the same for a copy of the region alone; the names found are those of the statement's
 * kind; and the {@code now()} calls found lie inside the statement, in order.
 */
class StatementClassifierFuzzTest {

  /**
   * Bytes the lexer would read as part of the statement if it went past its end: an unclosed quote,
   * string or comment, a qualified name, or a FROM.
   */
  private static final byte[] TRAP =
      ".t FROM x.y ORDER BY k now() \"'$$/*".getBytes(StandardCharsets.US_ASCII);

  private static final Router ROUTER = new Router(ClusterRole.ORIGIN, ClusterRole.ORIGIN);

  @FuzzTest
  @DictionaryEntries({
    "SELECT",
    "FROM",
    "INSERT",
    "INTO",
    "UPDATE",
    "DELETE",
    "BEGIN",
    "UNLOGGED",
    "COUNTER",
    "BATCH",
    "USE",
    "CALL",
    "InsightsRpc.",
    "now()",
    "system.now()",
    "ORDER BY",
    "JSON",
    "DISTINCT",
    " AS ",
    "count(*)",
    "--",
    "//",
    "/*",
    "*/",
    "$$",
    "''",
    "\"\"",
    "?",
    ":name",
    "system.local",
    "system.peers",
    "1.5e-3",
    "0x"
  })
  void should_classify_any_text_reading_only_the_statement(byte[] statement) {
    // given the statement alone, and inside buffers of other kinds with a trap on both sides
    ByteBuf alone = Unpooled.wrappedBuffer(statement);
    List<ByteBuf> elsewhere =
        List.of(inHeap(statement), inDirect(statement), inComposite(statement));
    try {
      // when
      CqlStatement classified = StatementClassifier.classify(alone, 0, statement.length);
      NowCalls nowCalls = NowCalls.find(alone, 0, statement.length);
      boolean ordered = OrderClause.present(alone, 0, statement.length);
      // then
      checkNames(classified);
      checkNowCalls(nowCalls, statement.length);
      for (ByteBuf buffer : elsewhere) {
        int index = TRAP.length;
        assertThat(StatementClassifier.classify(buffer, index, statement.length))
            .as("classified in %s", buffer)
            .isEqualTo(classified);
        assertSame(NowCalls.find(buffer, index, statement.length), nowCalls);
        assertThat(OrderClause.present(buffer, index, statement.length))
            .as("ORDER BY found in %s", buffer)
            .isEqualTo(ordered);
        assertThat(buffer.readerIndex()).isZero();
      }
      for (String keyspace : Arrays.asList(null, "ks", "system")) {
        ROUTER.route(classified, keyspace);
        ROUTER.routeExecution(classified, keyspace);
        ROUTER.isPrimaryRead(classified, keyspace);
      }
      checkText(statement, classified, nowCalls, ordered);
    } finally {
      alone.release();
      elsewhere.forEach(ByteBuf::release);
    }
  }

  /** For text (valid UTF-8): the same through the String methods, and replacing now() works. */
  private static void checkText(
      byte[] statement, CqlStatement classified, NowCalls nowCalls, boolean ordered) {
    String cql;
    try {
      cql =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(statement))
              .toString();
    } catch (CharacterCodingException e) {
      return;
    }
    assertThat(StatementClassifier.classify(cql)).isEqualTo(classified);
    assertThat(OrderClause.present(cql)).isEqualTo(ordered);
    String replaced = nowCalls.replaceWithMarkers(cql);
    assertThat(replaced.length()).isLessThanOrEqualTo(cql.length() + 9 * nowCalls.count());
    Throwable refusal = catchThrowable(() -> SelectClause.parse(cql));
    if (refusal != null) {
      assertThat(refusal)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected");
    }
  }

  private static void assertSame(NowCalls actual, NowCalls expected) {
    assertThat(actual.starts()).isEqualTo(expected.starts());
    assertThat(actual.ends()).isEqualTo(expected.ends());
    assertThat(actual.markerIndexes()).isEqualTo(expected.markerIndexes());
    assertThat(actual.namedMarkers()).isEqualTo(expected.namedMarkers());
  }

  private static void checkNames(CqlStatement statement) {
    switch (statement.kind()) {
      case SELECT, INSERT, UPDATE, DELETE -> {
        if (statement.keyspace() != null) {
          assertThat(statement.table()).as("a keyspace without a table").isNotNull();
        }
      }
      case USE -> assertThat(statement.table()).isNull();
      default -> {
        assertThat(statement.keyspace()).isNull();
        assertThat(statement.table()).isNull();
      }
    }
  }

  private static void checkNowCalls(NowCalls calls, int length) {
    int previousEnd = 0;
    int previousMarker = -1;
    for (int i = 0; i < calls.count(); i++) {
      assertThat(calls.starts()[i]).isGreaterThanOrEqualTo(previousEnd);
      assertThat(calls.ends()[i]).isGreaterThan(calls.starts()[i]).isLessThanOrEqualTo(length);
      assertThat(calls.markerIndexes()[i]).isGreaterThan(previousMarker);
      previousEnd = calls.ends()[i];
      previousMarker = calls.markerIndexes()[i];
    }
  }

  private static ByteBuf inHeap(byte[] statement) {
    return Unpooled.buffer().writeBytes(TRAP).writeBytes(statement).writeBytes(TRAP);
  }

  private static ByteBuf inDirect(byte[] statement) {
    return Unpooled.directBuffer().writeBytes(TRAP).writeBytes(statement).writeBytes(TRAP);
  }

  /** Three components, cut inside the statement (where it is long enough). */
  private static ByteBuf inComposite(byte[] statement) {
    int firstCut = statement.length / 3;
    int secondCut = 2 * statement.length / 3;
    CompositeByteBuf composite = Unpooled.compositeBuffer();
    composite.addComponent(
        true, Unpooled.buffer().writeBytes(TRAP).writeBytes(statement, 0, firstCut));
    composite.addComponent(
        true, Unpooled.directBuffer().writeBytes(statement, firstCut, secondCut - firstCut));
    composite.addComponent(
        true,
        Unpooled.buffer()
            .writeBytes(statement, secondCut, statement.length - secondCut)
            .writeBytes(TRAP));
    return composite;
  }
}
