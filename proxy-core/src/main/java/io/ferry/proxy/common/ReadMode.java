package io.ferry.proxy.common;

/** Whether reads served by the primary cluster are also sent to the other one. */
public enum ReadMode {
  /** Reads go to the primary cluster only. */
  PRIMARY_ONLY,
  /**
   * Reads go to the primary cluster, which answers the client, and are mirrored, fire-and-forget,
   * to the secondary cluster, whose answer is compared with the primary's.
   */
  DUAL_ASYNC_ON_SECONDARY
}
