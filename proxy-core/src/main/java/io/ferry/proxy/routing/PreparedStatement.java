package io.ferry.proxy.routing;

import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.cql.CqlStatement;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.List;

/**
 * What Ferry remembers of a statement prepared on both clusters: each cluster's id and the
 * statement's classification, so that its executions are routed without parsing anything.
 *
 * @param originId the id the client knows (origin's)
 * @param targetId target's id for the same statement (usually equal: both are MD5 of keyspace and
 *     query)
 * @param statement the classification of the prepared query
 * @param keyspace the keyspace the client connection was using when it prepared the statement
 * @param query the query string, to prepare the statement again on a cluster that forgot it
 * @param nowMarkers the (sorted) indexes of the bind markers Ferry put in place of {@code now()}
 *     calls, whose values it adds to each execution; empty for most statements
 * @param ordered whether the statement fixes the order of its rows ({@code ORDER BY})
 * @param resultMetadata the result columns of a SELECT (names and types for divergence logs), or
 *     null
 * @param originResultMetadataId origin's result metadata id (v5, DSE_V2), which clients send in
 *     EXECUTE; null in earlier versions
 * @param targetResultMetadataId target's result metadata id for the same statement, or null
 */
public record PreparedStatement(
    byte[] originId,
    byte[] targetId,
    CqlStatement statement,
    String keyspace,
    String query,
    int[] nowMarkers,
    boolean ordered,
    RowsMetadata resultMetadata,
    byte[] originResultMetadataId,
    byte[] targetResultMetadataId) {

  /** Whether target knows the statement by the ids the client sends (origin's). */
  public boolean sameIdOnBothClusters() {
    return Arrays.equals(originId, targetId)
        && Arrays.equals(originResultMetadataId, targetResultMetadataId);
  }

  /**
   * Where target's ids go in an EXECUTE: the query id's position, and the result metadata id's
   * right after it when there is one.
   *
   * @param idPosition the position of the EXECUTE's query id
   */
  public int[] targetIdPositions(ByteBuf execute, int idPosition) {
    if (originResultMetadataId == null || targetResultMetadataId == null) {
      return new int[] {idPosition};
    }
    return new int[] {idPosition, ProtocolPrimitives.skipShortBytes(execute, idPosition)};
  }

  /** Target's ids, matching {@link #targetIdPositions}. */
  public List<byte[]> targetIds() {
    if (originResultMetadataId == null || targetResultMetadataId == null) {
      return List.of(targetId);
    }
    return List.of(targetId, targetResultMetadataId);
  }
}
