package io.ferry.proxy.stream;

/**
 * Requests waiting for an answer, oldest first, all with the same timeout: arrival order is then
 * deadline order, so finding the expired ones looks at the head only, and adding or removing one is
 * constant time without allocation (the entries carry their own links).
 *
 * <p>The one deadline mechanism of Ferry's connections: a client connection's in-flight requests,
 * the mirrored reads awaiting the secondary, and the requests Ferry sends itself on a backend
 * connection (handshakes, queries of its internal CQL client) each sit in one.
 *
 * <p>Thread policy: not thread-safe; used on its connection's event loop only.
 *
 * @param <E> the entries' own type
 */
public final class DeadlineQueue<E extends DeadlineQueue.Entry<E>> {

  /** A member of at most one queue at a time. */
  public abstract static class Entry<E extends Entry<E>> {
    E previous;
    E next;
    boolean queued;
    long startNanos;

    /** When the entry was added to its queue, in {@link System#nanoTime()} terms. */
    public final long startNanos() {
      return startNanos;
    }
  }

  private final long timeoutNanos;
  private E oldest;
  private E newest;

  public DeadlineQueue(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  /** Appends {@code entry}, whose timeout runs from {@code startNanos}. */
  public void add(E entry, long startNanos) {
    if (entry.queued) {
      throw new IllegalStateException("already queued");
    }
    entry.queued = true;
    entry.startNanos = startNanos;
    entry.previous = newest;
    entry.next = null;
    if (newest != null) {
      newest.next = entry;
    } else {
      oldest = entry;
    }
    newest = entry;
  }

  /** Removes {@code entry}; nothing happens when it is not queued. */
  public void remove(E entry) {
    if (!entry.queued) {
      return;
    }
    if (entry.previous != null) {
      entry.previous.next = entry.next;
    } else {
      oldest = entry.next;
    }
    if (entry.next != null) {
      entry.next.previous = entry.previous;
    } else {
      newest = entry.previous;
    }
    entry.previous = null;
    entry.next = null;
    entry.queued = false;
  }

  /** Removes and returns the oldest entry if its deadline has passed at {@code nowNanos}. */
  public E pollExpired(long nowNanos) {
    E head = oldest;
    if (head == null || nowNanos - head.startNanos < timeoutNanos) {
      return null;
    }
    remove(head);
    return head;
  }

  /** Removes and returns the oldest entry, or null when empty. */
  public E poll() {
    E head = oldest;
    if (head != null) {
      remove(head);
    }
    return head;
  }

  /** When the oldest entry expires, in {@link System#nanoTime()} terms; only when not empty. */
  public long nextDeadlineNanos() {
    return oldest.startNanos + timeoutNanos;
  }

  public boolean isEmpty() {
    return oldest == null;
  }
}
