package io.ferry.proxy.cql;

import static io.ferry.proxy.cql.CqlLexer.END;
import static io.ferry.proxy.cql.CqlLexer.end;
import static io.ferry.proxy.cql.CqlLexer.isKeyword;
import static io.ferry.proxy.cql.CqlLexer.isName;
import static io.ferry.proxy.cql.CqlLexer.isPunctuation;
import static io.ferry.proxy.cql.CqlLexer.name;
import static io.ferry.proxy.cql.CqlLexer.next;
import static io.ferry.proxy.cql.CqlLexer.start;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The selectors of a {@code SELECT} on a system table the proxy answers itself ({@code
 * system.local}, {@code system.peers}), so that it returns the columns that were asked for.
 *
 * <p>Only what drivers and tools send to these tables is supported, as in the ZDM Proxy: {@code *},
 * columns with optional aliases, and {@code count(*)}.
 *
 * @param selectors in the order of the statement; a {@link Selector.Star} is the only selector
 */
public record SelectClause(List<Selector> selectors) {

  public SelectClause {
    selectors = List.copyOf(selectors);
  }

  /** One item of the select clause. */
  public sealed interface Selector {

    /** {@code *}: every column of the table. */
    record Star() implements Selector {}

    /**
     * A column, such as {@code peer} or {@code rpc_address AS address}.
     *
     * @param name the column name, normalized as Cassandra does (unquoted in lower case)
     * @param alias the name given with {@code AS}, normalized the same way, or null
     */
    record Column(String name, String alias) implements Selector {}

    /**
     * {@code count(*)} or its synonym {@code count(1)}.
     *
     * @param alias the name given with {@code AS}, or null
     */
    record Count(String alias) implements Selector {}
  }

  private static final String EXPECTED_SELECTORS =
      "*, column, column AS alias, count(*) or count(*) AS alias";

  /**
   * Parses the select clause of a SELECT statement.
   *
   * @throws IllegalArgumentException if the statement is not a SELECT with a FROM clause, or if it
   *     has a selector the proxy does not support (a function call, an arithmetic expression, a
   *     cast, a literal, {@code JSON} or {@code DISTINCT}); the message names that selector
   */
  public static SelectClause parse(String cql) {
    ByteBuf utf8 = Unpooled.wrappedBuffer(cql.getBytes(StandardCharsets.UTF_8));
    try {
      return parse(utf8, cql);
    } finally {
      utf8.release();
    }
  }

  private static SelectClause parse(ByteBuf utf8, String cql) {
    int end = utf8.writerIndex();
    long select = next(utf8, 0, end);
    if (!isKeyword(utf8, select, "select")) {
      throw new IllegalArgumentException(
          "statement: %s (expected: a SELECT statement)".formatted(cql));
    }
    long token = next(utf8, end(select), end);
    if (isModifier(utf8, token, end)) {
      throw unsupported(CqlLexer.text(utf8, token).toUpperCase(Locale.ROOT));
    }
    List<Selector> selectors = new ArrayList<>();
    List<Long> selectorTokens = new ArrayList<>();
    int depth = 0;
    while (true) {
      if (token == END) {
        throw new IllegalArgumentException(
            "statement: %s (expected: SELECT <selectors> FROM <table>)".formatted(cql));
      }
      boolean endOfSelector =
          depth == 0 && (isPunctuation(utf8, token, ',') || isKeyword(utf8, token, "from"));
      if (endOfSelector) {
        if (selectorTokens.isEmpty()) {
          throw new IllegalArgumentException(
              "statement: %s (expected: a selector before each ',' and before FROM)"
                  .formatted(cql));
        }
        selectors.add(selector(utf8, selectorTokens));
        if (isKeyword(utf8, token, "from")) {
          break;
        }
        selectorTokens.clear();
      } else {
        depth += CqlLexer.nestingChange(utf8, token);
        selectorTokens.add(token);
      }
      token = next(utf8, end(token), end);
    }
    if (selectors.size() > 1 && selectors.contains(new Selector.Star())) {
      throw unsupported("* among other selectors");
    }
    return new SelectClause(selectors);
  }

  /**
   * Whether a leading {@code JSON} or {@code DISTINCT} is a modifier rather than a column of that
   * name: like Cassandra, a modifier is one followed by something that can start a selector.
   */
  private static boolean isModifier(ByteBuf utf8, long token, int end) {
    if (!isKeyword(utf8, token, "json") && !isKeyword(utf8, token, "distinct")) {
      return false;
    }
    long following = next(utf8, end(token), end);
    return following != END
        && !isPunctuation(utf8, following, ',')
        && !isKeyword(utf8, following, "from")
        && !isKeyword(utf8, following, "as");
  }

  private static Selector selector(ByteBuf utf8, List<Long> tokens) {
    int count = tokens.size();
    long first = tokens.get(0);
    if (count == 1 && isPunctuation(utf8, first, '*')) {
      return new Selector.Star();
    }
    if (isName(utf8, first) && (count == 1 || isAlias(utf8, tokens, 1))) {
      return new Selector.Column(name(utf8, first), count == 1 ? null : name(utf8, tokens.get(2)));
    }
    if (isCountAll(utf8, tokens) && (count == 4 || isAlias(utf8, tokens, 4))) {
      return new Selector.Count(count == 4 ? null : name(utf8, tokens.get(5)));
    }
    long last = tokens.get(count - 1);
    throw unsupported(
        utf8.toString(start(first), end(last) - start(first), StandardCharsets.UTF_8));
  }

  /** Whether the selector ends with {@code AS <name>} from {@code index} on. */
  private static boolean isAlias(ByteBuf utf8, List<Long> tokens, int index) {
    return tokens.size() == index + 2
        && isKeyword(utf8, tokens.get(index), "as")
        && isName(utf8, tokens.get(index + 1));
  }

  /** {@code count(*)} or {@code count(1)}, in any case. */
  private static boolean isCountAll(ByteBuf utf8, List<Long> tokens) {
    if (tokens.size() < 4) {
      return false;
    }
    long argument = tokens.get(2);
    boolean star = isPunctuation(utf8, argument, '*');
    boolean one =
        CqlLexer.type(utf8, argument) == CqlLexer.TokenType.NUMBER
            && "1".equals(CqlLexer.text(utf8, argument));
    return isKeyword(utf8, tokens.get(0), "count")
        && isPunctuation(utf8, tokens.get(1), '(')
        && (star || one)
        && isPunctuation(utf8, tokens.get(3), ')');
  }

  private static IllegalArgumentException unsupported(String selector) {
    return new IllegalArgumentException(
        "unsupported selector: %s (expected: %s)".formatted(selector, EXPECTED_SELECTORS));
  }
}
