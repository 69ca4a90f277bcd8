package io.ferry.proxy.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Arrays;

/**
 * The prepared statements of all client connections, bounded (least recently used forgotten first).
 * A client executing a forgotten statement gets UNPREPARED and prepares it again, as with
 * Cassandra's own cache.
 *
 * <p>Thread-safe: shared by every event loop.
 */
public final class PreparedStatementCache {

  private final Cache<Id, PreparedStatement> byOriginId;
  // Only statements whose ids differ between the clusters need the reverse lookup that turns a
  // target UNPREPARED into one the client understands.
  private final Cache<Id, byte[]> originIdByTargetId;

  public PreparedStatementCache(int maximumSize) {
    this.byOriginId = Caffeine.newBuilder().maximumSize(maximumSize).build();
    this.originIdByTargetId = Caffeine.newBuilder().maximumSize(maximumSize).build();
  }

  public void put(PreparedStatement statement) {
    byOriginId.put(new Id(statement.originId()), statement);
    if (!statement.sameIdOnBothClusters()) {
      originIdByTargetId.put(new Id(statement.targetId()), statement.originId());
    }
  }

  /** The statement with this origin id, or {@code null}. */
  public PreparedStatement get(byte[] originId) {
    return byOriginId.getIfPresent(new Id(originId));
  }

  /**
   * The origin id of the statement target knows by {@code targetId}, or {@code targetId} itself.
   */
  public byte[] originIdOf(byte[] targetId) {
    byte[] originId = originIdByTargetId.getIfPresent(new Id(targetId));
    return originId != null ? originId : targetId;
  }

  public long size() {
    return byOriginId.estimatedSize();
  }

  /** A byte-array key compared by content. */
  private record Id(byte[] bytes) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Id id && Arrays.equals(bytes, id.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return Arrays.toString(bytes);
    }
  }
}
