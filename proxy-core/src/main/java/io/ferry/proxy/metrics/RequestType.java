package io.ferry.proxy.metrics;

import io.ferry.proxy.common.Destination;

/** The {@code type} label of proxy-level request metrics. */
public enum RequestType {
  READS_ORIGIN("reads_origin"),
  READS_TARGET("reads_target"),
  WRITES("writes");

  private final String label;

  RequestType(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** As the ZDM Proxy counts it: what goes to both clusters is a write. */
  public static RequestType of(Destination destination) {
    return switch (destination) {
      case ORIGIN -> READS_ORIGIN;
      case TARGET -> READS_TARGET;
      default -> WRITES;
    };
  }
}
