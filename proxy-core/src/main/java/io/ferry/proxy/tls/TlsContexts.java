package io.ferry.proxy.tls;

import io.ferry.proxy.cluster.ClusterRole;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.config.InvalidConfigurationException;
import io.ferry.proxy.config.ProxySettings;
import java.util.Optional;

/**
 * Ferry's TLS, loaded once at start-up from the PEM files the settings name: client-facing, and
 * towards each cluster. An empty part is plain TCP.
 *
 * <p>Thread-safe: immutable.
 */
public record TlsContexts(
    Optional<ClientFacingTls> clientFacing,
    Optional<ClusterTls> origin,
    Optional<ClusterTls> target) {

  /**
   * Reads every configured file.
   *
   * @throws InvalidConfigurationException naming each setting whose file cannot be used, and why
   */
  public static TlsContexts load(ProxySettings settings) {
    KeyMaterial material = new KeyMaterial();
    Optional<ClientFacingTls> clientFacing =
        settings.clientTls().enabled()
            ? Optional.ofNullable(ClientFacingTls.load(settings.clientTls(), material))
            : Optional.empty();
    Optional<ClusterTls> origin = cluster(settings.origin(), material);
    Optional<ClusterTls> target = cluster(settings.target(), material);
    material.throwIfInvalid();
    return new TlsContexts(clientFacing, origin, target);
  }

  public Optional<ClusterTls> cluster(ClusterRole role) {
    return role == ClusterRole.ORIGIN ? origin : target;
  }

  private static Optional<ClusterTls> cluster(ClusterSettings cluster, KeyMaterial material) {
    return cluster.tls().enabled()
        ? Optional.ofNullable(ClusterTls.load(cluster, material))
        : Optional.empty();
  }
}
