package io.ferry.proxy.cql;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A hand-written CQL lexer over the UTF-8 bytes of a {@link ByteBuf} region, just enough to
 * classify statements without parsing them.
 *
 * <p>It reads with absolute indexes, so the buffer's reader and writer indexes never move, and it
 * allocates nothing: a token is a {@code long} packing its start (inclusive) and end (exclusive)
 * index, and its {@link TokenType} follows from its first byte. {@link #next} skips whitespace and
 * {@code --}, {@code //} and {@code /* ... *}{@code /} comments before each token.
 *
 * <p>It never throws on content, however malformed. A string, quoted identifier or block comment
 * that is not closed before the end of the region (as in a truncated statement) ends the token
 * stream; any byte that cannot start a CQL token (a control character, a non-ASCII byte outside
 * quotes, a stray symbol) is a one-byte {@link TokenType#UNKNOWN} token. It validates nothing else:
 * the clusters' parsers do that.
 *
 * <p>Stateless: safe to call from any thread.
 */
final class CqlLexer {

  enum TokenType {
    /** A keyword or an unquoted identifier: a letter, then letters, digits and underscores. */
    IDENTIFIER,
    /** A double-quoted identifier, where {@code ""} stands for one {@code "}. */
    QUOTED_IDENTIFIER,
    /** A single-quoted ({@code 'it''s'}) or dollar-quoted ({@code $$it's$$}) string literal. */
    STRING,
    /**
     * A literal that starts with a digit: {@code 42}, {@code 1.5e-3}, {@code 0xCAFE}, {@code
     * 1h30m}. A UUID literal comes out as several tokens, which is harmless for classification.
     */
    NUMBER,
    /** An operator or punctuation mark; {@code <=}, {@code >=} and {@code !=} are one token. */
    PUNCTUATION,
    /** A byte that cannot start a CQL token. */
    UNKNOWN
  }

  /** What {@link #next} returns when the region holds no further (well-formed) token. */
  static final long END = -1L;

  private static final String PUNCTUATION_MARKS = "()[]{},.;:?*=<>!+-/%";

  // Scanning with forEachByte checks the bounds once, where getByte checks them for every byte.
  private static final ByteProcessor SKIP_IDENTIFIER_PART = CqlLexer::isIdentifierPart;

  private CqlLexer() {}

  /**
   * Returns the first token at or after {@code from}, or {@link #END}.
   *
   * @param from where to start, usually the {@link #end} of the previous token
   * @param end the (exclusive) end of the region, which the lexer never reads beyond
   */
  static long next(ByteBuf buf, int from, int end) {
    int start = skipWhitespaceAndComments(buf, from, end);
    if (start >= end) {
      return END;
    }
    byte first = buf.getByte(start);
    int tokenEnd =
        switch (typeOf(first)) {
          case IDENTIFIER -> endOfIdentifier(buf, start, end);
          case QUOTED_IDENTIFIER -> endOfQuoted(buf, start, end);
          case STRING ->
              first == '$' ? endOfDollarQuoted(buf, start, end) : endOfQuoted(buf, start, end);
          case NUMBER -> endOfNumber(buf, start, end);
          case PUNCTUATION -> endOfPunctuation(buf, start, end);
          case UNKNOWN -> start + 1;
        };
    return tokenEnd < 0 ? END : (long) start << 32 | tokenEnd;
  }

  static int start(long token) {
    return (int) (token >>> 32);
  }

  static int end(long token) {
    return (int) token;
  }

  /** The type of a token other than {@link #END}. */
  static TokenType type(ByteBuf buf, long token) {
    return typeOf(buf.getByte(start(token)));
  }

  /**
   * Whether the token is the given keyword, in any case; a quoted identifier never is.
   *
   * @param keyword the keyword in lower case
   */
  static boolean isKeyword(ByteBuf buf, long token, String keyword) {
    return token != END
        && type(buf, token) == TokenType.IDENTIFIER
        && equalsIgnoreCase(buf, start(token), end(token), keyword);
  }

  /** Whether the token is the given punctuation mark. */
  static boolean isPunctuation(ByteBuf buf, long token, char mark) {
    return token != END && end(token) - start(token) == 1 && buf.getByte(start(token)) == mark;
  }

  /** Whether the token can name something: an unquoted or a quoted identifier. */
  static boolean isName(ByteBuf buf, long token) {
    if (token == END) {
      return false;
    }
    TokenType type = type(buf, token);
    return type == TokenType.IDENTIFIER || type == TokenType.QUOTED_IDENTIFIER;
  }

  /**
   * Whether the token is a name that, once normalized by {@link #name}, equals the given one
   * ignoring case.
   *
   * @param name the name in lower case, without quotes or double quotes
   */
  static boolean nameEqualsIgnoreCase(ByteBuf buf, long token, String name) {
    if (!isName(buf, token)) {
      return false;
    }
    return type(buf, token) == TokenType.IDENTIFIER
        ? equalsIgnoreCase(buf, start(token), end(token), name)
        : equalsIgnoreCase(buf, start(token) + 1, end(token) - 1, name);
  }

  /** +1 for an opening bracket, -1 for a closing one, 0 for any other token or {@link #END}. */
  static int nestingChange(ByteBuf buf, long token) {
    if (token == END || end(token) - start(token) != 1) {
      return 0;
    }
    return switch (buf.getByte(start(token))) {
      case '(', '[', '{' -> 1;
      case ')', ']', '}' -> -1;
      default -> 0;
    };
  }

  /**
   * The name a {@linkplain #isName name token} stands for, as Cassandra normalizes it: unquoted
   * identifiers in lower case, quoted ones unquoted with their case kept.
   */
  static String name(ByteBuf buf, long token) {
    int start = start(token);
    int length = end(token) - start;
    if (buf.getByte(start) == '"') {
      return buf.toString(start + 1, length - 2, StandardCharsets.UTF_8).replace("\"\"", "\"");
    }
    // Returns the same String when it has no upper case, the usual case for schema names.
    return buf.toString(start, length, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
  }

  /** The source text of a token, for messages and tests. */
  static String text(ByteBuf buf, long token) {
    return buf.toString(start(token), end(token) - start(token), StandardCharsets.UTF_8);
  }

  private static TokenType typeOf(byte first) {
    if (isLetter(first)) {
      return TokenType.IDENTIFIER;
    }
    if (isDigit(first)) {
      return TokenType.NUMBER;
    }
    if (first == '"') {
      return TokenType.QUOTED_IDENTIFIER;
    }
    if (first == '\'' || first == '$') {
      return TokenType.STRING;
    }
    return PUNCTUATION_MARKS.indexOf(first) >= 0 ? TokenType.PUNCTUATION : TokenType.UNKNOWN;
  }

  private static int skipWhitespaceAndComments(ByteBuf buf, int position, int end) {
    while (position < end) {
      byte current = buf.getByte(position);
      byte following = position + 1 < end ? buf.getByte(position + 1) : 0;
      if (current == ' ' || current == '\t' || current == '\n' || current == '\r') {
        position++;
      } else if ((current == '-' && following == '-') || (current == '/' && following == '/')) {
        int lineEnd = buf.forEachByte(position + 2, end - position - 2, ByteProcessor.FIND_CRLF);
        position = lineEnd < 0 ? end : lineEnd + 1;
      } else if (current == '/' && following == '*') {
        position = endOfBlockComment(buf, position + 2, end);
      } else {
        return position;
      }
    }
    return end;
  }

  /** Block comments do not nest in CQL; an unclosed one runs to the end of the region. */
  private static int endOfBlockComment(ByteBuf buf, int from, int end) {
    for (int star = buf.indexOf(from, end, (byte) '*');
        star >= 0;
        star = buf.indexOf(star + 1, end, (byte) '*')) {
      if (star + 1 < end && buf.getByte(star + 1) == '/') {
        return star + 2;
      }
    }
    return end;
  }

  private static int endOfIdentifier(ByteBuf buf, int start, int end) {
    int firstOther = buf.forEachByte(start, end - start, SKIP_IDENTIFIER_PART);
    return firstOther < 0 ? end : firstOther;
  }

  /** The end of a '...' or "..." token, where a doubled quote escapes it; -1 if unclosed. */
  private static int endOfQuoted(ByteBuf buf, int start, int end) {
    byte quote = buf.getByte(start);
    int closing = buf.indexOf(start + 1, end, quote);
    while (closing >= 0) {
      if (closing + 1 < end && buf.getByte(closing + 1) == quote) {
        closing = buf.indexOf(closing + 2, end, quote);
      } else {
        return closing + 1;
      }
    }
    return -1;
  }

  /** The end of a $$...$$ token; -1 if unclosed or if the $ is not followed by another. */
  private static int endOfDollarQuoted(ByteBuf buf, int start, int end) {
    if (start + 1 >= end || buf.getByte(start + 1) != '$') {
      return -1;
    }
    for (int dollar = buf.indexOf(start + 2, end, (byte) '$');
        dollar >= 0;
        dollar = buf.indexOf(dollar + 1, end, (byte) '$')) {
      if (dollar + 1 < end && buf.getByte(dollar + 1) == '$') {
        return dollar + 2;
      }
    }
    return -1;
  }

  private static int endOfNumber(ByteBuf buf, int start, int end) {
    boolean hexadecimal =
        start + 1 < end && buf.getByte(start) == '0' && (buf.getByte(start + 1) | 0x20) == 'x';
    int position = start + 1;
    while (position < end) {
      byte current = buf.getByte(position);
      if (isIdentifierPart(current) || current == '.') {
        position++;
      } else if ((current == '+' || current == '-')
          && !hexadecimal
          && (buf.getByte(position - 1) | 0x20) == 'e'
          && position + 1 < end
          && isDigit(buf.getByte(position + 1))) {
        position += 2; // the sign of an exponent, as in 1.5e-3
      } else {
        break;
      }
    }
    return position;
  }

  private static int endOfPunctuation(ByteBuf buf, int start, int end) {
    byte first = buf.getByte(start);
    boolean comparison = first == '<' || first == '>' || first == '!';
    return comparison && start + 1 < end && buf.getByte(start + 1) == '=' ? start + 2 : start + 1;
  }

  private static boolean equalsIgnoreCase(ByteBuf buf, int start, int end, String lowerCase) {
    if (end - start != lowerCase.length()) {
      return false;
    }
    for (int i = 0; i < lowerCase.length(); i++) {
      byte current = buf.getByte(start + i);
      int lower = current >= 'A' && current <= 'Z' ? current + ('a' - 'A') : current;
      if (lower != lowerCase.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLetter(byte value) {
    return (value >= 'a' && value <= 'z') || (value >= 'A' && value <= 'Z');
  }

  private static boolean isDigit(byte value) {
    return value >= '0' && value <= '9';
  }

  private static boolean isIdentifierPart(byte value) {
    return isLetter(value) || isDigit(value) || value == '_';
  }
}
