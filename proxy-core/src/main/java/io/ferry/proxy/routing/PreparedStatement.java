package io.ferry.proxy.routing;

import com.datastax.oss.protocol.internal.response.result.RowsMetadata;

/**
 * What Ferry remembers of a statement prepared on both clusters: each cluster's id and the
 * statement's classification, so that its executions are routed without parsing anything.
 *
 * @param originId the id the client knows (origin's)
 * @param targetId target's id for the same statement (usually equal: both are MD5 of keyspace and
 *     query)
 * @param statement the classification of the prepared query
 * @param keyspace the keyspace the client connection was using when it prepared the statement
 * @param nowMarkers the (sorted) indexes of the bind markers Ferry put in place of {@code now()}
 *     calls, whose values it adds to each execution; empty for most statements
 * @param ordered whether the statement fixes the order of its rows ({@code ORDER BY})
 * @param resultMetadata the result columns of a SELECT (names and types for divergence logs), or
 *     null
 */
public record PreparedStatement(
    byte[] originId,
    byte[] targetId,
    CqlStatement statement,
    String keyspace,
    int[] nowMarkers,
    boolean ordered,
    RowsMetadata resultMetadata) {

  public boolean sameIdOnBothClusters() {
    return java.util.Arrays.equals(originId, targetId);
  }
}
