package io.ferry.proxy.rewrite;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Version 1 (time-based) UUIDs, as Cassandra's {@code now()} makes them: the current time in 100 ns
 * intervals since 1582-10-15 (strictly increasing within this instance), a random clock sequence
 * and a random node id with the multicast bit set, so it never collides with a real MAC.
 *
 * <p>Thread-safe.
 */
public final class TimeUuids {

  /** 100 ns intervals between 1582-10-15 (the UUID epoch) and 1970-01-01. */
  private static final long UUID_EPOCH_OFFSET = 0x01B21DD213814000L;

  private final AtomicLong lastTimestamp = new AtomicLong();
  private final long leastSignificantBits;

  public TimeUuids() {
    SecureRandom random = new SecureRandom();
    long clockSequence = random.nextInt(1 << 14);
    long node = (random.nextLong() & 0xFFFFFFFFFFFFL) | 0x010000000000L;
    this.leastSignificantBits = 0x8000000000000000L | clockSequence << 48 | node;
  }

  public UUID next() {
    long timestamp = nextTimestamp();
    long timeLow = timestamp & 0xFFFFFFFFL;
    long timeMid = (timestamp >>> 32) & 0xFFFFL;
    long timeHigh = (timestamp >>> 48) & 0x0FFFL;
    long mostSignificantBits = timeLow << 32 | timeMid << 16 | 0x1000L | timeHigh;
    return new UUID(mostSignificantBits, leastSignificantBits);
  }

  /** A UUID as a CQL value: 16 bytes, big-endian. */
  public static ByteBuffer bytes(UUID uuid) {
    return ByteBuffer.allocate(16)
        .putLong(0, uuid.getMostSignificantBits())
        .putLong(8, uuid.getLeastSignificantBits());
  }

  private long nextTimestamp() {
    long now = System.currentTimeMillis() * 10_000 + UUID_EPOCH_OFFSET;
    while (true) {
      long previous = lastTimestamp.get();
      long next = now > previous ? now : previous + 1;
      if (lastTimestamp.compareAndSet(previous, next)) {
        return next;
      }
    }
  }
}
