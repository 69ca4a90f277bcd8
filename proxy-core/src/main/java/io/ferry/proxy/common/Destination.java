package io.ferry.proxy.common;

/** Where a request goes. */
public enum Destination {
  /** Only origin answers. */
  ORIGIN,
  /** Only target answers. */
  TARGET,
  /** Both clusters; the client gets the aggregated answer. */
  BOTH,
  /** Ferry answers itself ({@code system.local}, {@code system.peers}, {@code system.peers_v2}). */
  FERRY,
  /**
   * Ferry acknowledges without forwarding: DSE Insights reports ({@code CALL InsightsRpc...}),
   * which drivers send to DSE and a migration proxy must not pass to either cluster.
   */
  ACKNOWLEDGE
}
