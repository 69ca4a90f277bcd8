package io.ferry.proxy.stream;

/**
 * The requests in flight on one connection, by stream id: each reserved id maps to the request
 * waiting for its answer, or to nothing but a mark once the request was given up (an orphan). An
 * orphan's id stays reserved until its late answer arrives, so that the answer is never taken for a
 * later request's.
 *
 * <p>Thread policy: not thread-safe; used on its connection's event loop only.
 *
 * @param <R> what a request is on this connection
 */
public final class StreamTable<R> {

  private final StreamIdPool ids;
  private final Object[] slots;
  private int orphans;

  /** Marks the id of a request given up before its answer. */
  private static final Object ORPHAN = new Object();

  public StreamTable(int size) {
    this.ids = new StreamIdPool(size);
    this.slots = new Object[size];
  }

  /** Reserves an id for {@code request}; -1 when every id is in use. */
  public int reserve(R request) {
    int id = ids.acquire();
    if (id >= 0) {
      slots[id] = request;
    }
    return id;
  }

  /** Whether an answer on {@code streamId} is awaited, by a request or as an orphan's. */
  public boolean isReserved(int streamId) {
    return streamId >= 0 && streamId < slots.length && slots[streamId] != null;
  }

  /**
   * Frees a reserved id, its answer having arrived (or its request not being sent after all).
   *
   * @return the request it was reserved for, or null when it was an orphan's
   */
  @SuppressWarnings("unchecked") // only reserve() stores anything but ORPHAN
  public R free(int streamId) {
    Object slot = slots[streamId];
    slots[streamId] = null;
    ids.release(streamId);
    if (slot == ORPHAN) {
      orphans--;
      return null;
    }
    return (R) slot;
  }

  /**
   * Gives up the request on {@code streamId}: its id stays reserved until the answer arrives.
   *
   * @return whether the id was a request's (false if it was free or already an orphan)
   */
  public boolean orphan(int streamId) {
    if (!isReserved(streamId) || slots[streamId] == ORPHAN) {
      return false;
    }
    slots[streamId] = ORPHAN;
    orphans++;
    return true;
  }

  /**
   * Empties the table (its connection closed), handing each request still waiting to {@code
   * action}.
   */
  @SuppressWarnings("unchecked") // only reserve() stores anything but ORPHAN
  public void clear(java.util.function.Consumer<R> action) {
    for (int id = 0; id < slots.length; id++) {
      Object slot = slots[id];
      if (slot != null) {
        slots[id] = null;
        ids.release(id);
        if (slot != ORPHAN) {
          action.accept((R) slot);
        }
      }
    }
    orphans = 0;
  }

  /** Ids in use, orphans included. */
  public int inUse() {
    return ids.inUse();
  }

  public int orphans() {
    return orphans;
  }
}
