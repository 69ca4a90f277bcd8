package io.ferry.admin.rebalance;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes the moves that balance a single-token ring: in each datacenter, node {@code i} of {@code
 * N} (in token order) belongs at {@code ringStart + i × ringSize / N}, datacenters offset slightly
 * from each other so that no two nodes share a token; of the N ways to hand these tokens to the
 * nodes in ring order, the one with the fewest moves, then the least ring distance, wins, and nodes
 * already in place do not move. Moves are ordered so that none targets a token another node still
 * holds.
 *
 * <p>Pure and thread-safe.
 */
public final class RebalancePlanner {

  /** A node's place in the ring. */
  public record RingNode(String address, String datacenter, BigInteger token) {}

  /** Moving {@code address} from {@code from} to {@code to}. */
  public record Move(String address, BigInteger from, BigInteger to) {}

  /** A partitioner's token range. */
  public enum Partitioner {
    MURMUR3(BigInteger.TWO.pow(63).negate(), BigInteger.TWO.pow(64)),
    RANDOM(BigInteger.ZERO, BigInteger.TWO.pow(127));

    final BigInteger start;
    final BigInteger size;

    Partitioner(BigInteger start, BigInteger size) {
      this.start = start;
      this.size = size;
    }

    /**
     * The partitioner of a class name as Cassandra reports it.
     *
     * @throws IllegalArgumentException for partitioners whose tokens are not integers
     */
    public static Partitioner of(String className) {
      if (className.endsWith("Murmur3Partitioner")) {
        return MURMUR3;
      }
      if (className.endsWith("RandomPartitioner")) {
        return RANDOM;
      }
      throw new IllegalArgumentException(
          "the cluster uses "
              + className
              + ": only Murmur3Partitioner and RandomPartitioner rings can be rebalanced");
    }

    /** Whether the token is within this partitioner's range. */
    public boolean contains(BigInteger token) {
      return token.compareTo(start) >= 0 && token.compareTo(start.add(size)) < 0;
    }
  }

  private RebalancePlanner() {}

  public static List<Move> plan(Partitioner partitioner, List<RingNode> nodes) {
    Map<String, List<RingNode>> byDatacenter = new TreeMap<>();
    for (RingNode node : nodes) {
      byDatacenter.computeIfAbsent(node.datacenter(), dc -> new ArrayList<>()).add(node);
    }
    int largest = byDatacenter.values().stream().mapToInt(List::size).max().orElse(0);
    // Each datacenter starts a little before the previous one (the DSE/k8ssandra convention).
    BigInteger datacenterOffset =
        partitioner
            .size
            .divide(BigInteger.valueOf(Math.max(byDatacenter.size() * largest * 2L, 235)))
            .negate();
    List<Move> moves = new ArrayList<>();
    int datacenterIndex = 0;
    for (List<RingNode> datacenter : byDatacenter.values()) {
      moves.addAll(
          planDatacenter(
              partitioner,
              datacenter,
              datacenterOffset.multiply(BigInteger.valueOf(datacenterIndex++))));
    }
    return order(moves, nodes);
  }

  private static List<Move> planDatacenter(
      Partitioner partitioner, List<RingNode> datacenter, BigInteger offset) {
    List<RingNode> ring = new ArrayList<>(datacenter);
    ring.sort(Comparator.comparing(RingNode::token));
    int count = ring.size();
    List<BigInteger> targets = new ArrayList<>();
    // (size / N) × i, as the DataStax token generator computes it.
    BigInteger step = partitioner.size.divide(BigInteger.valueOf(count));
    for (int i = 0; i < count; i++) {
      BigInteger token = partitioner.start.add(step.multiply(BigInteger.valueOf(i))).add(offset);
      if (token.compareTo(partitioner.start) < 0) {
        token = token.add(partitioner.size);
      }
      targets.add(token);
    }
    targets.sort(Comparator.naturalOrder());
    // The fewest moves first, then the least ring distance (data streamed).
    int bestRotation = 0;
    int bestMoves = Integer.MAX_VALUE;
    BigInteger bestCost = null;
    for (int rotation = 0; rotation < count; rotation++) {
      BigInteger cost = BigInteger.ZERO;
      int moves = 0;
      for (int i = 0; i < count; i++) {
        BigInteger target = targets.get((i + rotation) % count);
        if (!ring.get(i).token().equals(target)) {
          moves++;
          cost = cost.add(distance(partitioner, ring.get(i).token(), target));
        }
      }
      if (moves < bestMoves || moves == bestMoves && cost.compareTo(bestCost) < 0) {
        bestMoves = moves;
        bestCost = cost;
        bestRotation = rotation;
      }
    }
    List<Move> moves = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      RingNode node = ring.get(i);
      BigInteger target = targets.get((i + bestRotation) % count);
      if (!node.token().equals(target)) {
        moves.add(new Move(node.address(), node.token(), target));
      }
    }
    return moves;
  }

  private static BigInteger distance(Partitioner partitioner, BigInteger from, BigInteger to) {
    BigInteger forward = to.subtract(from).mod(partitioner.size);
    BigInteger backward = from.subtract(to).mod(partitioner.size);
    return forward.min(backward);
  }

  /** Orders moves so that no move targets a token still held by a node that has yet to move. */
  private static List<Move> order(List<Move> moves, List<RingNode> nodes) {
    Map<BigInteger, String> holders = new LinkedHashMap<>();
    nodes.forEach(node -> holders.put(node.token(), node.address()));
    List<Move> pending = new ArrayList<>(moves);
    List<Move> ordered = new ArrayList<>();
    while (!pending.isEmpty()) {
      Move next =
          pending.stream()
              .filter(move -> !holders.containsKey(move.to()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "the proposed moves form a cycle ("
                              + pending
                              + "); move one of these nodes by hand first"));
      pending.remove(next);
      holders.remove(next.from());
      holders.put(next.to(), next.address());
      ordered.add(next);
    }
    return ordered;
  }
}
