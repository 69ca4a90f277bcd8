package io.ferry.proxy.tls;

import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.config.ProxyOption;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS from Ferry to one cluster's nodes (control connection, client connections' cluster
 * connections, mirrored reads): one TLS context, loaded at start-up, and an {@link SslHandler} per
 * connection that checks the node's certificate against the CA file and, unless turned off, against
 * the address Ferry connects to.
 *
 * <p>Thread-safe: immutable.
 */
public final class ClusterTls {

  /** The HTTPS rule: the certificate's subject alternative names must match the peer's address. */
  private static final String HOSTNAME_VERIFICATION = "HTTPS";

  private final ClusterRole role;
  private final ClusterSettings.TlsSettings settings;
  private final Options options;
  private final SslContext context;

  private ClusterTls(
      ClusterRole role, ClusterSettings.TlsSettings settings, Options options, SslContext context) {
    this.role = role;
    this.settings = settings;
    this.options = options;
    this.context = context;
  }

  /** The settings of one cluster's TLS. */
  private record Options(
      ProxyOption serverCa,
      ProxyOption clientCert,
      ProxyOption clientKey,
      ProxyOption hostnameVerification) {

    static Options of(ClusterRole role) {
      return role == ClusterRole.ORIGIN
          ? new Options(
              ProxyOption.ORIGIN_TLS_SERVER_CA_PATH,
              ProxyOption.ORIGIN_TLS_CLIENT_CERT_PATH,
              ProxyOption.ORIGIN_TLS_CLIENT_KEY_PATH,
              ProxyOption.ORIGIN_TLS_HOSTNAME_VERIFICATION)
          : new Options(
              ProxyOption.TARGET_TLS_SERVER_CA_PATH,
              ProxyOption.TARGET_TLS_CLIENT_CERT_PATH,
              ProxyOption.TARGET_TLS_CLIENT_KEY_PATH,
              ProxyOption.TARGET_TLS_HOSTNAME_VERIFICATION);
    }
  }

  /** Loads the files of an enabled cluster TLS; null when they cannot be used (see problems). */
  static ClusterTls load(ClusterSettings cluster, KeyMaterial material) {
    ClusterSettings.TlsSettings settings = cluster.tls();
    Options options = Options.of(cluster.role());
    String nodes = "the " + cluster.role().id() + " nodes";
    List<X509Certificate> authorities =
        material.certificates(options.serverCa(), settings.serverCaPath(), true, nodes);
    List<X509Certificate> chain = List.of();
    PrivateKey key = null;
    if (settings.mutual()) {
      chain = material.certificates(options.clientCert(), settings.clientCertPath(), false, nodes);
      key = material.privateKey(options.clientKey(), settings.clientKeyPath());
      if (key != null && !chain.isEmpty()) {
        material.checkKeyMatches(
            options.clientKey(), settings.clientKeyPath(), key, options.clientCert(), chain.get(0));
      }
    }
    if (authorities.isEmpty() || (settings.mutual() && (chain.isEmpty() || key == null))) {
      return null;
    }
    try {
      SslContextBuilder builder =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.JDK)
              .trustManager(
                  ExplainingTrustManager.trusting(
                      authorities,
                      new ExplainingTrustManager.Wording(
                          "node",
                          options.serverCa().environmentVariable(),
                          settings.serverCaPath(),
                          options.hostnameVerification().environmentVariable())));
      if (settings.mutual()) {
        builder.keyManager(key, chain.toArray(X509Certificate[]::new));
      }
      return new ClusterTls(cluster.role(), settings, options, builder.build());
    } catch (GeneralSecurityException | SSLException | IllegalArgumentException e) {
      material.problem(
          "ferry." + cluster.role().id() + ".tls: cannot build a TLS context: " + e.getMessage());
      return null;
    }
  }

  public ClusterRole role() {
    return role;
  }

  /**
   * A handler for a new connection to {@code node}, to be first in its pipeline. Its handshake
   * starts when the connection is established, and writes wait for it; the handshake future fails
   * (and the channel closes) when the node or its certificate is refused.
   *
   * @param node the address Ferry connects to: with hostname verification on, the node's
   *     certificate must name it (its host name if it was given as one, else its IP address)
   */
  public SslHandler newHandler(
      ByteBufAllocator allocator, InetSocketAddress node, Duration handshakeTimeout) {
    SslHandler handler = new SslHandler(newEngine(allocator, node));
    handler.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeout.toMillis()));
    return handler;
  }

  /**
   * A client engine for a connection to {@code node}, with the cluster's trust, key material and
   * hostname verification; also what the admin API's driver sessions use.
   */
  public SSLEngine newEngine(ByteBufAllocator allocator, InetSocketAddress node) {
    SSLEngine engine = context.newEngine(allocator, node.getHostString(), node.getPort());
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm(
        settings.hostnameVerification() ? HOSTNAME_VERIFICATION : null);
    engine.setSSLParameters(parameters);
    return engine;
  }

  /**
   * The TLS handshake of a connection that a handler of {@link #newHandler} heads: completes with
   * the channel when it succeeded, else fails with a {@link TlsFailureException} that says why (and
   * the channel closes).
   */
  public CompletableFuture<Channel> handshake(Channel channel) {
    CompletableFuture<Channel> handshaken = new CompletableFuture<>();
    channel
        .pipeline()
        .get(SslHandler.class)
        .handshakeFuture()
        .addListener(
            done -> {
              if (done.isSuccess()) {
                handshaken.complete(channel);
              } else {
                channel.close();
                handshaken.completeExceptionally(failure(done.cause()));
              }
            });
    return handshaken;
  }

  /**
   * Why TLS with a node failed, for an operator: {@code "TLS handshake failed: the node's
   * certificate (CN=node1) expired on 2026-10-22T03:42:23Z"}.
   */
  public String explain(Throwable failure) {
    HandshakeFailure handshakeFailure = HandshakeFailure.of(failure);
    String reason =
        switch (handshakeFailure.kind()) {
          case UNTRUSTED -> handshakeFailure.detail();
          case ALERT_RECEIVED -> alertReason(handshakeFailure.detail());
          case NOT_TLS ->
              "the node answered without TLS: is client_encryption_options enabled on it, and is"
                  + " ferry."
                  + role.id()
                  + ".port its TLS port?";
          case TIMED_OUT ->
              "the node did not complete it in time (" + handshakeFailure.detail() + ")";
          case CLOSED -> "the node closed the connection during the handshake";
          case NO_CLIENT_CERTIFICATE, OTHER -> handshakeFailure.detail();
        };
    return "TLS handshake failed: " + reason;
  }

  /** Whether {@code failure} is about TLS (rather than, say, a connection reset). */
  public static boolean isTlsFailure(Throwable failure) {
    return HandshakeFailure.isTls(failure);
  }

  /** {@link #explain} as an exception, for futures. */
  public TlsFailureException failure(Throwable cause) {
    return new TlsFailureException(explain(cause), cause);
  }

  private String alertReason(String alert) {
    String clientCertificateSettings =
        options.clientCert().environmentVariable()
            + " and "
            + options.clientKey().environmentVariable();
    String refusedCertificate =
        "the node refused Ferry's client certificate ("
            + options.clientCert().environmentVariable()
            + ": "
            + settings.clientCertPath()
            + ") with the alert "
            + alert
            + ": is it signed by a CA of the node's truststore, and valid?";
    return switch (alert) {
      // Ferry's certificate is the only one the node checks: these are about it, or its absence.
      case "certificate_required",
          "bad_certificate",
          "certificate_unknown",
          "unknown_ca",
          "certificate_expired",
          "certificate_revoked",
          "unsupported_certificate",
          "access_denied" ->
          settings.mutual()
              ? refusedCertificate
              : "the node requires a client certificate (alert "
                  + alert
                  + "): set "
                  + clientCertificateSettings;
      case "handshake_failure", "protocol_version", "insufficient_security" ->
          "Ferry and the node have no TLS version or cipher suite in common (alert "
              + alert
              + ")"
              + (settings.mutual()
                  ? ""
                  : ", or the node requires a client certificate (set "
                      + clientCertificateSettings
                      + ")");
      default -> "the node ended the handshake with the alert " + alert;
    };
  }
}
