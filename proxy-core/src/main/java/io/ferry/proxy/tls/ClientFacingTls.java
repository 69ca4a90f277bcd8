package io.ferry.proxy.tls;

import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings.ClientTlsSettings;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * TLS between clients and Ferry's listener: Ferry's certificate and key, loaded at start-up, and,
 * when client certificates are required, the CA they must be signed by.
 *
 * <p>Thread-safe: immutable.
 */
public final class ClientFacingTls {

  private final SslContext context;

  private ClientFacingTls(SslContext context) {
    this.context = context;
  }

  /** Loads the files of enabled client-facing TLS; null when they cannot be used (see problems). */
  static ClientFacingTls load(ClientTlsSettings settings, KeyMaterial material) {
    List<X509Certificate> authorities =
        material.certificates(ProxyOption.PROXY_TLS_CA_PATH, settings.caPath(), true, "clients");
    List<X509Certificate> chain =
        material.certificates(
            ProxyOption.PROXY_TLS_CERT_PATH, settings.certPath(), false, "clients");
    PrivateKey key = material.privateKey(ProxyOption.PROXY_TLS_KEY_PATH, settings.keyPath());
    if (key != null && !chain.isEmpty()) {
      material.checkKeyMatches(
          ProxyOption.PROXY_TLS_KEY_PATH,
          settings.keyPath(),
          key,
          ProxyOption.PROXY_TLS_CERT_PATH,
          chain.get(0));
    }
    if (authorities.isEmpty() || chain.isEmpty() || key == null) {
      return null;
    }
    try {
      SslContext context =
          SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
              .sslProvider(SslProvider.JDK)
              .clientAuth(settings.requireClientAuth() ? ClientAuth.REQUIRE : ClientAuth.NONE)
              .trustManager(
                  ExplainingTrustManager.trusting(
                      authorities,
                      new ExplainingTrustManager.Wording(
                          "client",
                          ProxyOption.PROXY_TLS_CA_PATH.environmentVariable(),
                          settings.caPath(),
                          null)))
              .build();
      return new ClientFacingTls(context);
    } catch (GeneralSecurityException | SSLException | IllegalArgumentException e) {
      material.problem("ferry.proxy.tls: cannot build a TLS context: " + e.getMessage());
      return null;
    }
  }

  /** A handler for an accepted client connection, to be first in its pipeline. */
  public SslHandler newHandler(ByteBufAllocator allocator) {
    return context.newHandler(allocator);
  }

  /**
   * Why the TLS handshake with a client failed, for an operator: {@code "TLS handshake failed: the
   * client presented no certificate ..."}.
   */
  public String explain(Throwable failure) {
    HandshakeFailure handshakeFailure = HandshakeFailure.of(failure);
    String reason =
        switch (handshakeFailure.kind()) {
          case UNTRUSTED -> handshakeFailure.detail();
          case NO_CLIENT_CERTIFICATE ->
              "the client presented no certificate (or none signed by a CA of "
                  + ProxyOption.PROXY_TLS_CA_PATH.environmentVariable()
                  + ", which clients keep to themselves), and "
                  + ProxyOption.PROXY_TLS_REQUIRE_CLIENT_AUTH.environmentVariable()
                  + "=true requires one";
          case ALERT_RECEIVED ->
              "the client refused it with the alert "
                  + handshakeFailure.detail()
                  + ": does it trust the CA that signed Ferry's certificate ("
                  + ProxyOption.PROXY_TLS_CERT_PATH.environmentVariable()
                  + "), and does that certificate name the address the client connects to?";
          case NOT_TLS ->
              "the client did not start a TLS handshake: with "
                  + ProxyOption.PROXY_TLS_CERT_PATH.environmentVariable()
                  + " set, clients must connect with TLS";
          case TIMED_OUT ->
              "the client did not complete it in time (" + handshakeFailure.detail() + ")";
          case CLOSED -> "the client closed the connection during the handshake";
          case OTHER -> handshakeFailure.detail();
        };
    return "TLS handshake failed: " + reason;
  }

  /** Whether a failure is one the client caused by closing early: worth a debug line only. */
  public static boolean isClosedEarly(Throwable failure) {
    return HandshakeFailure.of(failure).kind() == HandshakeFailure.Kind.CLOSED;
  }
}
