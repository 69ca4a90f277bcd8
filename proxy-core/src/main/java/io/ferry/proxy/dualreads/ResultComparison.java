package io.ferry.proxy.dualreads;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the rows two clusters returned for the same read. Rows are compared by their raw values;
 * in order when the query fixes an order ({@code ORDER BY}), else as multisets, since two clusters
 * may legitimately return the same rows in another order. Paging is respected by comparing only the
 * page each returned.
 *
 * <p>Stateless.
 */
public final class ResultComparison {

  /**
   * Where two results differ.
   *
   * @param onlyPrimary the first row the primary returned that the secondary did not, or null
   * @param onlySecondary the first row the secondary returned that the primary did not, or null
   * @param primaryRows how many rows the primary returned
   * @param secondaryRows how many rows the secondary returned
   */
  public record Difference(
      List<ByteBuffer> onlyPrimary,
      List<ByteBuffer> onlySecondary,
      int primaryRows,
      int secondaryRows) {}

  private ResultComparison() {}

  /** The difference between two pages of rows, or {@code null} when they hold the same rows. */
  public static Difference compare(
      List<List<ByteBuffer>> primary, List<List<ByteBuffer>> secondary, boolean ordered) {
    return ordered ? compareInOrder(primary, secondary) : compareAsMultisets(primary, secondary);
  }

  private static Difference compareInOrder(
      List<List<ByteBuffer>> primary, List<List<ByteBuffer>> secondary) {
    int common = Math.min(primary.size(), secondary.size());
    for (int i = 0; i < common; i++) {
      if (!primary.get(i).equals(secondary.get(i))) {
        return new Difference(primary.get(i), secondary.get(i), primary.size(), secondary.size());
      }
    }
    if (primary.size() == secondary.size()) {
      return null;
    }
    return new Difference(
        primary.size() > common ? primary.get(common) : null,
        secondary.size() > common ? secondary.get(common) : null,
        primary.size(),
        secondary.size());
  }

  private static Difference compareAsMultisets(
      List<List<ByteBuffer>> primary, List<List<ByteBuffer>> secondary) {
    // ByteBuffer and List compare by content, so rows can be counted in a hash map.
    Map<List<ByteBuffer>, Integer> counts = new HashMap<>(primary.size() * 2);
    for (List<ByteBuffer> row : primary) {
      counts.merge(row, 1, Integer::sum);
    }
    List<ByteBuffer> onlySecondary = null;
    for (List<ByteBuffer> row : secondary) {
      Integer count = counts.get(row);
      if (count == null) {
        if (onlySecondary == null) {
          onlySecondary = row;
        }
      } else if (count == 1) {
        counts.remove(row);
      } else {
        counts.put(row, count - 1);
      }
    }
    List<ByteBuffer> onlyPrimary = null;
    for (List<ByteBuffer> row : primary) {
      if (counts.containsKey(row)) {
        onlyPrimary = row;
        break;
      }
    }
    if (onlyPrimary == null && onlySecondary == null) {
      return null;
    }
    return new Difference(onlyPrimary, onlySecondary, primary.size(), secondary.size());
  }
}
