package io.ferry.admin.ring;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.metadata.Metadata;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.metadata.token.Token;
import com.datastax.oss.driver.api.core.metadata.token.TokenRange;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.errors.NotSupportedException;
import io.ferry.admin.errors.UnavailableException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The token ranges of a cluster's ring and their replicas per keyspace, read from the Java driver's
 * token map (which follows the cluster's topology and schema).
 *
 * <p>Immutable snapshot; take a new one to see changes.
 */
public final class TokenRing {

  private static final String MURMUR3 = "org.apache.cassandra.dht.Murmur3Partitioner";

  private final TokenMap tokenMap;
  private final List<TokenRange> ranges;
  private final int nodes;
  private final Map<String, List<Long>> layout = new TreeMap<>();

  private TokenRing(TokenMap tokenMap, java.util.Collection<Node> nodes) {
    this.tokenMap = tokenMap;
    this.nodes = nodes.size();
    for (Node node : nodes) {
      layout.put(
          ClusterSession.address(node),
          tokenMap.getTokens(node).stream().map(token -> token(tokenMap, token)).sorted().toList());
    }
    this.ranges =
        tokenMap.getTokenRanges().stream()
            .sorted(Comparator.comparingLong(range -> token(tokenMap, range.getStart())))
            .toList();
  }

  /**
   * The cluster's current ring.
   *
   * @throws UnavailableException when the driver has no token map yet
   * @throws NotSupportedException for a partitioner other than Murmur3
   */
  public static TokenRing of(ClusterSession cluster) {
    Metadata metadata = cluster.session().getMetadata();
    TokenMap tokenMap =
        metadata
            .getTokenMap()
            .orElseThrow(
                () ->
                    new UnavailableException(
                        "the token ring of cluster "
                            + cluster.clusterId()
                            + " is not known yet (no token metadata from the driver)"));
    if (!MURMUR3.equals(tokenMap.getPartitionerName())) {
      throw new NotSupportedException(
          "cluster "
              + cluster.clusterId()
              + " uses "
              + tokenMap.getPartitionerName()
              + "; Ferry's repair service and NodeSync support "
              + MURMUR3
              + " only");
    }
    return new TokenRing(tokenMap, metadata.getNodes().values());
  }

  public int nodeCount() {
    return nodes;
  }

  /** A token range of the ring and its replicas in one keyspace. */
  public record ReplicatedSpan(TokenSpan span, List<String> replicas) {}

  /** The ring's ranges, in token order, each with its replicas' addresses (sorted) in keyspace. */
  public List<ReplicatedSpan> ranges(String keyspace) {
    List<ReplicatedSpan> result = new ArrayList<>(ranges.size());
    CqlIdentifier id = CqlIdentifier.fromInternal(keyspace);
    for (TokenRange range : ranges) {
      Set<Node> replicas = tokenMap.getReplicas(id, range);
      result.add(
          new ReplicatedSpan(
              new TokenSpan(token(tokenMap, range.getStart()), token(tokenMap, range.getEnd())),
              replicas.stream().map(ClusterSession::address).sorted().toList()));
    }
    return result;
  }

  /**
   * What identifies the ring's layout: every node with its tokens. Changes when a node joins,
   * leaves or moves.
   */
  public String fingerprint() {
    return Integer.toHexString(layout.hashCode()) + "/" + ranges.size();
  }

  private static long token(TokenMap tokenMap, Token token) {
    return Long.parseLong(tokenMap.format(token));
  }
}
