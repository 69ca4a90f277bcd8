package io.ferry.proxy.cql;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CqlLexerTest {

  static Stream<Arguments> tokenizations() {
    return Stream.of(
        Arguments.of("", List.of()),
        Arguments.of(" \t\r\n ", List.of()),
        Arguments.of(
            "SELECT a, b_2 FROM ks.t;",
            List.of(
                "IDENTIFIER SELECT",
                "IDENTIFIER a",
                "PUNCTUATION ,",
                "IDENTIFIER b_2",
                "IDENTIFIER FROM",
                "IDENTIFIER ks",
                "PUNCTUATION .",
                "IDENTIFIER t",
                "PUNCTUATION ;")),
        // comments of each kind, anywhere
        Arguments.of(
            "-- line\nSELECT/* block */a// line\r\n/**/b--",
            List.of("IDENTIFIER SELECT", "IDENTIFIER a", "IDENTIFIER b")),
        Arguments.of("/* not /* nested */ x", List.of("IDENTIFIER x")),
        Arguments.of("a /*/ still a comment */ b", List.of("IDENTIFIER a", "IDENTIFIER b")),
        Arguments.of("a -- SELECT * FROM x", List.of("IDENTIFIER a")),
        // quoted identifiers and string literals keep keywords and comment markers inside
        Arguments.of(
            "\"Foo\"\"bar\" \"from\"",
            List.of("QUOTED_IDENTIFIER \"Foo\"\"bar\"", "QUOTED_IDENTIFIER \"from\"")),
        Arguments.of(
            "'it''s' 'FROM -- /*' ''",
            List.of("STRING 'it''s'", "STRING 'FROM -- /*'", "STRING ''")),
        Arguments.of("$$it's $ FROM$$ $$$$", List.of("STRING $$it's $ FROM$$", "STRING $$$$")),
        Arguments.of("'héllo ✓ 日本'", List.of("STRING 'héllo ✓ 日本'")),
        Arguments.of("\"Tablé\"", List.of("QUOTED_IDENTIFIER \"Tablé\"")),
        // numbers, blobs, durations
        Arguments.of(
            "42 1.5e-3 2E+10 0xCAFE 1h30m -7",
            List.of(
                "NUMBER 42",
                "NUMBER 1.5e-3",
                "NUMBER 2E+10",
                "NUMBER 0xCAFE",
                "NUMBER 1h30m",
                "PUNCTUATION -",
                "NUMBER 7")),
        // operators and bind markers
        Arguments.of(
            "a<=? b>=:c d!=1 e<f",
            List.of(
                "IDENTIFIER a",
                "PUNCTUATION <=",
                "PUNCTUATION ?",
                "IDENTIFIER b",
                "PUNCTUATION >=",
                "PUNCTUATION :",
                "IDENTIFIER c",
                "IDENTIFIER d",
                "PUNCTUATION !=",
                "NUMBER 1",
                "IDENTIFIER e",
                "PUNCTUATION <",
                "IDENTIFIER f")),
        Arguments.of(
            "count(*) m['k'] {1: 2}",
            List.of(
                "IDENTIFIER count",
                "PUNCTUATION (",
                "PUNCTUATION *",
                "PUNCTUATION )",
                "IDENTIFIER m",
                "PUNCTUATION [",
                "STRING 'k'",
                "PUNCTUATION ]",
                "PUNCTUATION {",
                "NUMBER 1",
                "PUNCTUATION :",
                "NUMBER 2",
                "PUNCTUATION }")),
        Arguments.of(
            "a / b % c",
            List.of(
                "IDENTIFIER a", "PUNCTUATION /", "IDENTIFIER b", "PUNCTUATION %", "IDENTIFIER c")),
        // bytes that cannot start a token are one-byte UNKNOWN tokens
        Arguments.of("a # b", List.of("IDENTIFIER a", "UNKNOWN #", "IDENTIFIER b")),
        Arguments.of("_x", List.of("UNKNOWN _", "IDENTIFIER x")),
        Arguments.of("\u0000a", List.of("UNKNOWN \u0000", "IDENTIFIER a")),
        // malformed input ends the token stream
        Arguments.of("a 'unterminated", List.of("IDENTIFIER a")),
        Arguments.of("a \"unterminated", List.of("IDENTIFIER a")),
        Arguments.of("a 'it''", List.of("IDENTIFIER a")),
        Arguments.of("a $$unterminated $", List.of("IDENTIFIER a")),
        Arguments.of("a $ b", List.of("IDENTIFIER a")),
        Arguments.of("a /* unterminated", List.of("IDENTIFIER a")),
        Arguments.of("a /", List.of("IDENTIFIER a", "PUNCTUATION /")));
  }

  @ParameterizedTest
  @MethodSource("tokenizations")
  void should_split_cql_into_tokens(String cql, List<String> expected) {
    // given
    ByteBuf utf8 = Unpooled.wrappedBuffer(cql.getBytes(StandardCharsets.UTF_8));
    try {
      // when
      List<String> tokens = tokens(utf8, 0, utf8.writerIndex());

      // then
      assertThat(tokens).containsExactlyElementsOf(expected);
    } finally {
      utf8.release();
    }
  }

  @Test
  void should_split_non_ascii_bytes_outside_quotes_into_unknown_tokens() {
    // given "é", two bytes in UTF-8
    ByteBuf utf8 = Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, (byte) 0xA9});
    try {
      // when
      List<String> tokens = tokens(utf8, 0, 2);

      // then each byte alone is invalid UTF-8, hence the replacement character
      assertThat(tokens).containsExactly("UNKNOWN \uFFFD", "UNKNOWN \uFFFD");
    } finally {
      utf8.release();
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "MyTable      | mytable",
        "my_table_2   | my_table_2",
        "\"MyTable\"  | MyTable",
        "\"Foo\"\"bar\" | Foo\"bar",
        "\"\"         | ''",
        "\"Tablé ✓\"  | Tablé ✓",
        "\"a b.c\"    | a b.c",
      })
  void should_normalize_names_like_cassandra(String token, String expected) {
    // given
    ByteBuf utf8 = Unpooled.wrappedBuffer(token.getBytes(StandardCharsets.UTF_8));
    try {
      long name = CqlLexer.next(utf8, 0, utf8.writerIndex());

      // when
      String normalized = CqlLexer.name(utf8, name);

      // then
      assertThat(CqlLexer.isName(utf8, name)).isTrue();
      assertThat(normalized).isEqualTo(expected);
    } finally {
      utf8.release();
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "select     | select | true",
        "SELECT     | select | true",
        "SeLeCt     | select | true",
        "selects    | select | false",
        "selec      | select | false",
        "\"select\" | select | false",
        "'''select''' | select | false",
        "FROM       | from   | true",
      })
  void should_match_keywords_ignoring_case_but_not_quoted(
      String cql, String keyword, boolean expected) {
    // given
    ByteBuf utf8 = Unpooled.wrappedBuffer(cql.getBytes(StandardCharsets.UTF_8));
    try {
      long token = CqlLexer.next(utf8, 0, utf8.writerIndex());

      // when
      boolean matches = CqlLexer.isKeyword(utf8, token, keyword);

      // then
      assertThat(matches).isEqualTo(expected);
    } finally {
      utf8.release();
    }
  }

  @Test
  void should_answer_false_for_predicates_on_the_end_of_the_stream() {
    // given
    ByteBuf utf8 = Unpooled.wrappedBuffer(new byte[0]);
    try {
      // when
      long token = CqlLexer.next(utf8, 0, 0);

      // then
      assertThat(token).isEqualTo(CqlLexer.END);
      assertThat(CqlLexer.isKeyword(utf8, token, "select")).isFalse();
      assertThat(CqlLexer.isName(utf8, token)).isFalse();
      assertThat(CqlLexer.nameEqualsIgnoreCase(utf8, token, "x")).isFalse();
      assertThat(CqlLexer.isPunctuation(utf8, token, '.')).isFalse();
      assertThat(CqlLexer.nestingChange(utf8, token)).isZero();
    } finally {
      utf8.release();
    }
  }

  @Test
  void should_never_read_outside_its_region_nor_move_the_buffer_indexes() {
    // given a region "b.c 'x" between bytes that would change the tokens if they were read
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
    try {
      buf.writeCharSequence("a'b.c 'x'y", StandardCharsets.UTF_8);
      buf.readerIndex(1);
      int readerIndex = buf.readerIndex();
      int writerIndex = buf.writerIndex();

      // when
      List<String> tokens = tokens(buf, 2, 6);

      // then the unterminated string at the end of the region ends the stream
      assertThat(tokens).containsExactly("IDENTIFIER b", "PUNCTUATION .", "IDENTIFIER c");
      assertThat(buf.readerIndex()).isEqualTo(readerIndex);
      assertThat(buf.writerIndex()).isEqualTo(writerIndex);
    } finally {
      buf.release();
    }
  }

  @Test
  void should_produce_ordered_tokens_within_the_region_for_random_bytes() {
    // given
    Random random = new Random(20240611L);
    byte[] alphabet = "aZ9_ \n'\"$-/*().,;:?=<>!#é\u0000".getBytes(StandardCharsets.UTF_8);
    for (int run = 0; run < 20_000; run++) {
      byte[] bytes = new byte[random.nextInt(48)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] =
            run % 2 == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
      }
      ByteBuf utf8 = Unpooled.wrappedBuffer(bytes);
      try {
        // when
        int position = 0;
        for (long token = CqlLexer.next(utf8, 0, bytes.length);
            token != CqlLexer.END;
            token = CqlLexer.next(utf8, position, bytes.length)) {
          // then every token is non-empty, after the previous one and inside the region
          assertThat(CqlLexer.start(token)).isGreaterThanOrEqualTo(position);
          assertThat(CqlLexer.end(token))
              .isGreaterThan(CqlLexer.start(token))
              .isLessThanOrEqualTo(bytes.length);
          assertThat(CqlLexer.type(utf8, token)).isNotNull();
          position = CqlLexer.end(token);
        }
      } finally {
        utf8.release();
      }
    }
  }

  private static List<String> tokens(ByteBuf utf8, int index, int length) {
    List<String> tokens = new ArrayList<>();
    int end = index + length;
    for (long token = CqlLexer.next(utf8, index, end);
        token != CqlLexer.END;
        token = CqlLexer.next(utf8, CqlLexer.end(token), end)) {
      tokens.add(CqlLexer.type(utf8, token) + " " + CqlLexer.text(utf8, token));
    }
    return tokens;
  }
}
