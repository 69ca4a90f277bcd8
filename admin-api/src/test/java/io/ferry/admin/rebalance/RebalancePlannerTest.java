package io.ferry.admin.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.admin.rebalance.RebalancePlanner.Move;
import io.ferry.admin.rebalance.RebalancePlanner.Partitioner;
import io.ferry.admin.rebalance.RebalancePlanner.RingNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RebalancePlannerTest {

  private static final BigInteger MIN = BigInteger.TWO.pow(63).negate();

  @Test
  void should_move_the_second_of_two_crowded_nodes_halfway_round_the_ring() {
    // given
    List<RingNode> ring =
        List.of(
            node("10.0.0.1", "dc1", MIN),
            node("10.0.0.2", "dc1", new BigInteger("-9000000000000000000")));
    // when
    List<Move> moves = RebalancePlanner.plan(Partitioner.MURMUR3, ring);
    // then
    assertThat(moves)
        .containsExactly(
            new Move("10.0.0.2", new BigInteger("-9000000000000000000"), BigInteger.ZERO));
  }

  @Test
  void should_propose_nothing_for_a_balanced_ring() {
    // given the tokens of the DataStax formula for six nodes
    List<RingNode> ring = new ArrayList<>();
    String[] tokens = {
      "-9223372036854775808",
      "-6148914691236517206",
      "-3074457345618258604",
      "-2",
      "3074457345618258600",
      "6148914691236517202"
    };
    for (int i = 0; i < tokens.length; i++) {
      ring.add(node("10.0.0." + i, "dc1", new BigInteger(tokens[i])));
    }
    // then
    assertThat(RebalancePlanner.plan(Partitioner.MURMUR3, ring)).isEmpty();
  }

  @Test
  void should_order_moves_so_that_none_targets_a_token_still_taken() {
    // given four nodes crowded at the start of the ring, one of them on a balanced token
    List<RingNode> ring =
        List.of(
            node("a", "dc1", MIN.add(BigInteger.valueOf(3))),
            node("b", "dc1", MIN.add(BigInteger.valueOf(2))),
            node("c", "dc1", MIN.add(BigInteger.ONE)),
            node("d", "dc1", MIN));
    // when
    List<Move> moves = RebalancePlanner.plan(Partitioner.MURMUR3, ring);
    // then replaying them never lands on an occupied token, and the ring ends balanced
    Map<BigInteger, String> holders = new TreeMap<>();
    ring.forEach(node -> holders.put(node.token(), node.address()));
    for (Move move : moves) {
      assertThat(holders).doesNotContainKey(move.to());
      holders.remove(move.from());
      holders.put(move.to(), move.address());
    }
    List<BigInteger> expected = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      expected.add(MIN.add(BigInteger.TWO.pow(62).multiply(BigInteger.valueOf(i))));
    }
    assertThat(holders.keySet()).containsExactlyElementsOf(expected);
    assertThat(moves).hasSize(3);
  }

  @Test
  void should_balance_each_datacenter_on_its_own_without_sharing_a_token() {
    // given two datacenters of two nodes each, all crowded
    List<RingNode> ring =
        List.of(
            node("1", "dc1", BigInteger.valueOf(10)),
            node("2", "dc1", BigInteger.valueOf(20)),
            node("3", "dc2", BigInteger.valueOf(30)),
            node("4", "dc2", BigInteger.valueOf(40)));
    // when
    List<Move> moves = RebalancePlanner.plan(Partitioner.MURMUR3, ring);
    // then
    Map<String, BigInteger> tokens = new TreeMap<>();
    ring.forEach(node -> tokens.put(node.address(), node.token()));
    moves.forEach(move -> tokens.put(move.address(), move.to()));
    Set<BigInteger> distinct = new HashSet<>(tokens.values());
    assertThat(distinct).hasSize(4);
    BigInteger half = BigInteger.TWO.pow(63);
    assertThat(tokens.get("2").subtract(tokens.get("1")).abs()).isEqualTo(half);
    assertThat(tokens.get("4").subtract(tokens.get("3")).abs()).isEqualTo(half);
  }

  @Test
  void should_use_the_random_partitioner_range() {
    // given
    List<RingNode> ring =
        List.of(node("1", "dc1", BigInteger.ZERO), node("2", "dc1", BigInteger.ONE));
    // when
    List<Move> moves =
        RebalancePlanner.plan(Partitioner.of("org.apache.cassandra.dht.RandomPartitioner"), ring);
    // then
    assertThat(moves).containsExactly(new Move("2", BigInteger.ONE, BigInteger.TWO.pow(126)));
  }

  @Test
  void should_refuse_partitioners_without_integer_tokens() {
    assertThatThrownBy(() -> Partitioner.of("org.apache.cassandra.dht.ByteOrderedPartitioner"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ByteOrderedPartitioner");
  }

  private static RingNode node(String address, String datacenter, BigInteger token) {
    return new RingNode(address, datacenter, token);
  }
}
