package io.ferry.proxy.config;

import io.ferry.proxy.cluster.ClusterRole;
import java.time.Duration;
import java.util.List;

/** How Ferry reaches one of the two clusters. */
public record ClusterSettings(
    ClusterRole role,
    List<String> contactPoints,
    int port,
    String username,
    String password,
    String localDatacenter,
    Duration connectionTimeout,
    boolean enableHostAssignment) {

  public ClusterSettings {
    contactPoints = List.copyOf(contactPoints);
  }

  public boolean hasCredentials() {
    return !username.isEmpty();
  }

  @Override
  public String toString() {
    // Never print the password.
    return "ClusterSettings[role="
        + role
        + ", contactPoints="
        + contactPoints
        + ", port="
        + port
        + ", username="
        + (username.isEmpty() ? "<none>" : username)
        + ", localDatacenter="
        + (localDatacenter.isEmpty() ? "<auto>" : localDatacenter)
        + ", connectionTimeout="
        + connectionTimeout
        + ", enableHostAssignment="
        + enableHostAssignment
        + "]";
  }
}
