package io.ferry.proxy.config;

import io.ferry.proxy.common.ClusterRole;
import java.nio.file.Path;
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
    boolean enableHostAssignment,
    TlsSettings tls) {

  public ClusterSettings {
    contactPoints = List.copyOf(contactPoints);
  }

  /**
   * TLS between Ferry and the cluster's nodes: none ({@code serverCaPath} null), one-way (the
   * nodes' CA only) or mutual (CA, and Ferry's client certificate and key). Paths of PEM files.
   *
   * @param hostnameVerification whether a node's certificate must name the address Ferry connects
   *     to
   */
  public record TlsSettings(
      Path serverCaPath, Path clientCertPath, Path clientKeyPath, boolean hostnameVerification) {

    /** Whether Ferry connects to the nodes with TLS. */
    public boolean enabled() {
      return serverCaPath != null;
    }

    /** Whether Ferry presents a client certificate. */
    public boolean mutual() {
      return clientCertPath != null;
    }

    @Override
    public String toString() {
      if (!enabled()) {
        return "off";
      }
      return (mutual() ? "mutual" : "one-way")
          + (hostnameVerification ? "" : " without hostname verification");
    }
  }

  public boolean hasCredentials() {
    return !username.isEmpty();
  }

  /** The environment variable of Ferry's user name for this cluster: ZDM_ORIGIN_USERNAME. */
  public String usernameVariable() {
    return usernameOption().environmentVariable();
  }

  /**
   * How an operator gives Ferry credentials for this cluster, for error messages: {@code
   * ZDM_ORIGIN_USERNAME and ZDM_ORIGIN_PASSWORD (ferry.origin.username/password)}.
   */
  public String credentialSettings() {
    ProxyOption password =
        role == ClusterRole.ORIGIN ? ProxyOption.ORIGIN_PASSWORD : ProxyOption.TARGET_PASSWORD;
    return usernameVariable()
        + " and "
        + password.environmentVariable()
        + " (ferry."
        + role.id()
        + ".username/password)";
  }

  private ProxyOption usernameOption() {
    return role == ClusterRole.ORIGIN ? ProxyOption.ORIGIN_USERNAME : ProxyOption.TARGET_USERNAME;
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
        + ", tls="
        + tls
        + "]";
  }
}
