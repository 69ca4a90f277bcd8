package io.ferry.proxy.common;

import java.util.Locale;

/** The two clusters of a migration. */
public enum ClusterRole {
  ORIGIN,
  TARGET;

  public ClusterRole other() {
    return this == ORIGIN ? TARGET : ORIGIN;
  }

  /** Lower-case name, as used in logs, metric labels and the admin API's cluster ids. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
