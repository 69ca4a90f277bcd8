package io.ferry.proxy.stream;

/**
 * A bounded pool of stream ids {@code 0..size-1} for one connection.
 *
 * <p>Ids are handed out round-robin from a moving cursor rather than lowest-first, so that an id
 * just released is not reused at once: if a server ever answered twice, the second answer would not
 * be mistaken for the next request's.
 *
 * <p>Thread policy: not thread-safe; used on its connection's event loop only.
 */
public final class StreamIdPool {

  private final long[] words;
  private final int size;
  private int inUse;
  private int cursor;

  public StreamIdPool(int size) {
    if (size < 1 || size > 32768) {
      throw new IllegalArgumentException("stream id pool size " + size + " (expected: 1..32768)");
    }
    this.size = size;
    this.words = new long[(size + 63) >>> 6];
  }

  /** Reserves an id, or returns -1 if all are in use. */
  public int acquire() {
    if (inUse == size) {
      return -1;
    }
    int wordCount = words.length;
    int wordIndex = cursor >>> 6;
    for (int scanned = 0; scanned <= wordCount; scanned++) {
      long free = ~words[wordIndex];
      if (scanned == 0) {
        // Start at the cursor's bit within its word; lower bits are reached on the wrap-around.
        free &= -1L << (cursor & 63);
      }
      if (free != 0) {
        int id = (wordIndex << 6) + Long.numberOfTrailingZeros(free);
        if (id < size) {
          words[wordIndex] |= 1L << id;
          inUse++;
          cursor = id + 1 == size ? 0 : id + 1;
          return id;
        }
      }
      wordIndex = wordIndex + 1 == wordCount ? 0 : wordIndex + 1;
    }
    throw new IllegalStateException(
        "stream id pool inconsistent: " + inUse + "/" + size + " in use");
  }

  /** Returns an id to the pool. */
  public void release(int id) {
    long mask = 1L << id;
    int wordIndex = id >>> 6;
    if (id < 0 || id >= size || (words[wordIndex] & mask) == 0) {
      throw new IllegalArgumentException("stream id " + id + " is not in use");
    }
    words[wordIndex] &= ~mask;
    inUse--;
  }

  public int inUse() {
    return inUse;
  }

  public int size() {
    return size;
  }
}
