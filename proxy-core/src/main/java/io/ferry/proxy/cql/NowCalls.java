package io.ferry.proxy.cql;

import static io.ferry.proxy.cql.CqlLexer.END;
import static io.ferry.proxy.cql.CqlLexer.end;
import static io.ferry.proxy.cql.CqlLexer.isKeyword;
import static io.ferry.proxy.cql.CqlLexer.isName;
import static io.ferry.proxy.cql.CqlLexer.isPunctuation;
import static io.ferry.proxy.cql.CqlLexer.next;
import static io.ferry.proxy.cql.CqlLexer.start;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code now()} calls of a statement ({@code now()} or {@code system.now()}, no argument), and
 * where each stands among the statement's bind markers once replaced by one: what Ferry needs to
 * replace them by a value it generates, the same on both clusters.
 *
 * @param starts byte offsets (from the start of the statement) where each call starts
 * @param ends byte offsets just past each call's closing parenthesis
 * @param markerIndexes for each call, its position among the bind markers of the statement with
 *     every call replaced by a marker
 * @param namedMarkers whether the statement uses named markers ({@code :name}) rather than {@code
 *     ?}: replacing markers must then be named too
 */
public record NowCalls(int[] starts, int[] ends, int[] markerIndexes, boolean namedMarkers) {

  /** The name of the marker that replaces {@code now()} in a statement with named markers. */
  public static final String MARKER_NAME = "zdm__now";

  private static final NowCalls NONE = new NowCalls(new int[0], new int[0], new int[0], false);

  public boolean isEmpty() {
    return starts.length == 0;
  }

  public int count() {
    return starts.length;
  }

  /** The calls in a UTF-8 statement held in a buffer region. */
  public static NowCalls find(ByteBuf utf8, int index, int length) {
    int end = index + length;
    int[] starts = new int[0];
    int[] ends = new int[0];
    int[] markers = new int[0];
    int count = 0;
    int markersSoFar = 0;
    boolean named = false;
    long previous = END;
    long beforePrevious = END;
    for (long token = next(utf8, index, end); token != END; token = next(utf8, end(token), end)) {
      if (isPunctuation(utf8, token, '?')) {
        markersSoFar++;
      } else if (isPunctuation(utf8, token, ':') && isNamedMarker(utf8, token, end)) {
        markersSoFar++;
        named = true;
      } else if (isKeyword(utf8, token, "now")) {
        long open = next(utf8, end(token), end);
        long close = open == END ? END : next(utf8, end(open), end);
        boolean qualified = isPunctuation(utf8, previous, '.');
        boolean system = qualified && isKeyword(utf8, beforePrevious, "system");
        if (isPunctuation(utf8, open, '(')
            && isPunctuation(utf8, close, ')')
            && (!qualified || system)) {
          if (count == starts.length) {
            starts = Arrays.copyOf(starts, count + 4);
            ends = Arrays.copyOf(ends, count + 4);
            markers = Arrays.copyOf(markers, count + 4);
          }
          starts[count] = (system ? start(beforePrevious) : start(token)) - index;
          ends[count] = end(close) - index;
          markers[count] = markersSoFar;
          count++;
          markersSoFar++;
          beforePrevious = open;
          previous = close;
          token = close;
          continue;
        }
      }
      beforePrevious = previous;
      previous = token;
    }
    if (count == 0) {
      return NONE;
    }
    return new NowCalls(
        Arrays.copyOf(starts, count),
        Arrays.copyOf(ends, count),
        Arrays.copyOf(markers, count),
        named);
  }

  /** The calls in a statement. */
  public static NowCalls find(String cql) {
    ByteBuf utf8 = Unpooled.wrappedBuffer(cql.getBytes(StandardCharsets.UTF_8));
    try {
      return find(utf8, 0, utf8.readableBytes());
    } finally {
      utf8.release();
    }
  }

  /** The statement with each call replaced by the text at the same index. */
  public String replace(String cql, List<String> replacements) {
    byte[] utf8 = cql.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(utf8.length + 40 * count());
    int copied = 0;
    for (int i = 0; i < count(); i++) {
      out.write(utf8, copied, starts[i] - copied);
      out.writeBytes(replacements.get(i).getBytes(StandardCharsets.UTF_8));
      copied = ends[i];
    }
    out.write(utf8, copied, utf8.length - copied);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The statement with each call replaced by a bind marker of the statement's style. */
  public String replaceWithMarkers(String cql) {
    String marker = namedMarkers ? ":" + MARKER_NAME : "?";
    return replace(cql, java.util.Collections.nCopies(count(), marker));
  }

  /**
   * A {@code :} starts a named marker when a name follows it that is not a function being called:
   * in {@code {field: now()}} (a user-type literal) the name is a call, not a marker.
   */
  private static boolean isNamedMarker(ByteBuf utf8, long colon, int end) {
    long name = next(utf8, end(colon), end);
    if (!isName(utf8, name)) {
      return false;
    }
    return !isPunctuation(utf8, next(utf8, end(name), end), '(');
  }
}
