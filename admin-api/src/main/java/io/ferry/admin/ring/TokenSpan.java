package io.ferry.admin.ring;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A Murmur3 token range {@code (start, end]} as Cassandra's repairs take it ({@code "start:end"});
 * it wraps around the ring when {@code end <= start}, and is the whole ring when they are equal.
 *
 * <p>Immutable.
 */
public record TokenSpan(long start, long end) {

  /** Number of tokens of the whole ring (2^64). */
  static final BigInteger RING = BigInteger.ONE.shiftLeft(64);

  /** Number of tokens in the range. */
  public BigInteger size() {
    BigInteger span = BigInteger.valueOf(end).subtract(BigInteger.valueOf(start));
    return span.signum() <= 0 ? span.add(RING) : span;
  }

  /** The range's share of the ring, in [0, 1]. */
  public double ringFraction() {
    return size().doubleValue() / RING.doubleValue();
  }

  /** The range cut into {@code pieces} contiguous ranges of (nearly) equal size, in ring order. */
  public List<TokenSpan> split(int pieces) {
    if (pieces < 1) {
      throw new IllegalArgumentException("pieces: expected at least 1, got " + pieces);
    }
    BigInteger size = size();
    BigInteger count = BigInteger.valueOf(pieces);
    if (size.compareTo(count) < 0) {
      pieces = size.intValueExact();
      count = BigInteger.valueOf(pieces);
    }
    List<TokenSpan> spans = new ArrayList<>(pieces);
    long previous = start;
    for (int i = 1; i <= pieces; i++) {
      long boundary =
          i == pieces
              ? end
              : BigInteger.valueOf(start)
                  .add(size.multiply(BigInteger.valueOf(i)).divide(count))
                  .longValue(); // longValue() wraps past Long.MAX_VALUE, as the ring does
      spans.add(new TokenSpan(previous, boundary));
      previous = boundary;
    }
    return spans;
  }

  /** The form of Cassandra's repair option {@code ranges}. */
  public String repairRange() {
    return start + ":" + end;
  }
}
