package io.ferry.proxy.tls;

import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.config.InvalidConfigurationException;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

  /**
   * Reads every configured file.
   *
   * @throws InvalidConfigurationException naming each setting whose file cannot be used, and why
   */
  public static TlsContexts load(ProxySettings settings) {
    if (!settings.clientTls().enabled() && settings.clientTls().requireClientAuth()) {
      // The ZDM Proxy ignores it too; say so, as the operator expects certificates to be checked.
      LOG.warn(
          "{} is true, but client-facing TLS is off ({}, {} and {} are empty): clients connect"
              + " without TLS and without certificates",
          ProxyOption.PROXY_TLS_REQUIRE_CLIENT_AUTH.label(),
          ProxyOption.PROXY_TLS_CA_PATH.environmentVariable(),
          ProxyOption.PROXY_TLS_CERT_PATH.environmentVariable(),
          ProxyOption.PROXY_TLS_KEY_PATH.environmentVariable());
    }
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
