package io.ferry.proxy.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * The prepared statements of all client connections, bounded (least recently used forgotten first).
 * A client executing a forgotten statement gets UNPREPARED and prepares it again, as with
 * Cassandra's own cache.
 *
 * <p>An EXECUTE's statement is looked up by the id bytes where they lie in the request frame,
 * through a probe key each thread reuses: the lookup on every forwarded EXECUTE allocates nothing.
 *
 * <p>Thread-safe: shared by every event loop.
 */
public final class PreparedStatementCache {

  private static final FastThreadLocal<Probe> PROBES =
      new FastThreadLocal<>() {
        @Override
        protected Probe initialValue() {
          return new Probe();
        }
      };

  private final Cache<Key, PreparedStatement> byOriginId;
  // Only statements whose ids differ between the clusters need the reverse lookup that turns a
  // target UNPREPARED into one the client understands.
  private final Cache<Key, byte[]> originIdByTargetId;

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
   * The statement whose origin id is the {@code [short bytes]} at {@code index} of {@code buffer},
   * or {@code null}; nothing is copied or allocated.
   */
  public PreparedStatement get(ByteBuf buffer, int index) {
    Probe probe = PROBES.get();
    probe.point(buffer, index + 2, buffer.getUnsignedShort(index));
    try {
      return byOriginId.getIfPresent(probe);
    } finally {
      probe.clear();
    }
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

  /**
   * An id compared by content, whatever holds its bytes: a stored {@link Id} equals a {@link Probe}
   * over the same bytes, and both hash as {@link Arrays#hashCode(byte[])}.
   */
  private abstract static sealed class Key permits Id, Probe {
    abstract int length();

    abstract byte byteAt(int i);

    @Override
    public final boolean equals(Object other) {
      if (!(other instanceof Key key) || key.length() != length()) {
        return false;
      }
      for (int i = 0; i < length(); i++) {
        if (key.byteAt(i) != byteAt(i)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public abstract int hashCode();
  }

  /** A stored id. */
  private static final class Id extends Key {
    private final byte[] bytes;
    private final int hash;

    Id(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    int length() {
      return bytes.length;
    }

    @Override
    byte byteAt(int i) {
      return bytes[i];
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return Arrays.toString(bytes);
    }
  }

  /**
   * A lookup key over bytes inside a buffer, reused by its thread; it never goes into a cache (only
   * {@link Id}s are stored) and holds no buffer between lookups.
   */
  private static final class Probe extends Key {
    private ByteBuf buffer;
    private int offset;
    private int length;
    private int hash;

    void point(ByteBuf buffer, int offset, int length) {
      this.buffer = buffer;
      this.offset = offset;
      this.length = length;
      int h = 1;
      for (int i = 0; i < length; i++) {
        h = 31 * h + buffer.getByte(offset + i);
      }
      this.hash = h;
    }

    void clear() {
      buffer = null;
    }

    @Override
    int length() {
      return length;
    }

    @Override
    byte byteAt(int i) {
      return buffer.getByte(offset + i);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
