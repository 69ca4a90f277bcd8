package io.ferry.proxy.cql;

import static io.ferry.proxy.cql.CqlLexer.END;
import static io.ferry.proxy.cql.CqlLexer.end;
import static io.ferry.proxy.cql.CqlLexer.isKeyword;
import static io.ferry.proxy.cql.CqlLexer.nestingChange;
import static io.ferry.proxy.cql.CqlLexer.next;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Whether a SELECT fixes the order of its rows with {@code ORDER BY}. */
public final class OrderClause {

  private OrderClause() {}

  public static boolean present(ByteBuf utf8, int index, int length) {
    int end = index + length;
    int depth = 0;
    long previous = END;
    for (long token = next(utf8, index, end); token != END; token = next(utf8, end(token), end)) {
      depth += nestingChange(utf8, token);
      if (depth == 0 && isKeyword(utf8, token, "by") && isKeyword(utf8, previous, "order")) {
        return true;
      }
      previous = token;
    }
    return false;
  }

  public static boolean present(String cql) {
    ByteBuf utf8 = Unpooled.wrappedBuffer(cql.getBytes(StandardCharsets.UTF_8));
    try {
      return present(utf8, 0, utf8.readableBytes());
    } finally {
      utf8.release();
    }
  }
}
