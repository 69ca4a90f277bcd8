package io.ferry.proxy.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Checks a peer's certificate chain as the JDK's PKIX trust manager does (chain to a CA of the
 * configured file, validity, key usage, and the host name when the engine asks for it), and adds
 * two things:
 *
 * <ul>
 *   <li>the CA certificate that signed the chain must itself be valid now: PKIX ignores the
 *       validity of trust anchors, while the ZDM Proxy (Go) and OpenSSL refuse an expired CA, so an
 *       operator's stale CA file would otherwise go unnoticed;
 *   <li>a refusal says why in operator terms (expired on which date, which address the certificate
 *       names, which setting holds the CAs), as an {@link UntrustedCertificateException} that
 *       becomes the TLS handshake failure's cause.
 * </ul>
 *
 * <p>Thread-safe: immutable.
 */
final class ExplainingTrustManager extends X509ExtendedTrustManager {

  /**
   * How refusals name things.
   *
   * @param peer {@code "node"} or {@code "client"}
   * @param authoritySetting the environment variable of the CA file
   * @param authorityFile the CA file
   * @param hostnameVerificationSetting the environment variable that turns hostname verification
   *     off, or {@code null} when there is none (client certificates)
   */
  record Wording(
      String peer,
      String authoritySetting,
      Path authorityFile,
      String hostnameVerificationSetting) {}

  private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_INSTANT;

  private final X509ExtendedTrustManager pkix;
  private final List<X509Certificate> authorities;
  private final Wording wording;

  private ExplainingTrustManager(
      X509ExtendedTrustManager pkix, List<X509Certificate> authorities, Wording wording) {
    this.pkix = pkix;
    this.authorities = List.copyOf(authorities);
    this.wording = wording;
  }

  /** Trusts chains signed by {@code authorities}. */
  static ExplainingTrustManager trusting(List<X509Certificate> authorities, Wording wording)
      throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    for (int i = 0; i < authorities.size(); i++) {
      store.setCertificateEntry("authority-" + i, authorities.get(i));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(store);
    for (TrustManager trustManager : factory.getTrustManagers()) {
      if (trustManager instanceof X509ExtendedTrustManager x509) {
        return new ExplainingTrustManager(x509, authorities, wording);
      }
    }
    throw new GeneralSecurityException("the JDK has no PKIX X.509 trust manager");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw explain(
          chain,
          e,
          () -> pkix.checkServerTrusted(chain, authType),
          engine == null ? null : engine.getPeerHost());
    }
    checkAuthorities(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw explain(chain, e, null, null);
    }
    checkAuthorities(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    try {
      pkix.checkServerTrusted(chain, authType);
    } catch (CertificateException e) {
      throw explain(chain, e, null, null);
    }
    checkAuthorities(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw explain(chain, e, null, null);
    }
    checkAuthorities(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw explain(chain, e, null, null);
    }
    checkAuthorities(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    try {
      pkix.checkClientTrusted(chain, authType);
    } catch (CertificateException e) {
      throw explain(chain, e, null, null);
    }
    checkAuthorities(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }

  /** Refuses a chain whose signing CA certificate (from the file) is not valid now. */
  private void checkAuthorities(X509Certificate[] chain) throws UntrustedCertificateException {
    UntrustedCertificateException invalid = invalidAuthority(chain, null);
    if (invalid != null) {
      throw invalid;
    }
  }

  /**
   * The refusal of a chain signed by a CA of the file whose certificate is not valid now, or null
   * when the chain's CA is valid (or not in the file).
   */
  private UntrustedCertificateException invalidAuthority(
      X509Certificate[] chain, CertificateException failure) {
    Date now = new Date();
    for (X509Certificate certificate : chain) {
      List<X509Certificate> issuers =
          authorities.stream().filter(authority -> issued(authority, certificate)).toList();
      if (issuers.isEmpty()) {
        continue;
      }
      if (issuers.stream().anyMatch(authority -> isValid(authority, now))) {
        return null;
      }
      X509Certificate authority = issuers.get(0);
      boolean expired = now.after(authority.getNotAfter());
      return new UntrustedCertificateException(
          "the "
              + wording.peer()
              + "'s certificate is signed by "
              + name(authority.getSubjectX500Principal())
              + ", whose certificate in "
              + wording.authoritySetting()
              + " ("
              + wording.authorityFile()
              + ") "
              + (expired
                  ? "expired on " + date(authority.getNotAfter())
                  : "is not valid before " + date(authority.getNotBefore())),
          failure != null
              ? failure
              : new CertPathValidatorException(
                  "CA certificate not valid now",
                  null,
                  null,
                  -1,
                  expired ? BasicReason.EXPIRED : BasicReason.NOT_YET_VALID));
    }
    return null;
  }

  private UntrustedCertificateException explain(
      X509Certificate[] chain, CertificateException failure, Check withoutHostname, String host) {
    Date now = new Date();
    for (int i = 0; i < chain.length; i++) {
      X509Certificate certificate = chain[i];
      String which =
          i == 0
              ? "the " + wording.peer() + "'s certificate (" + name(certificate) + ")"
              : "the certificate of "
                  + name(certificate)
                  + ", a CA in the "
                  + wording.peer()
                  + "'s certificate chain,";
      if (now.after(certificate.getNotAfter())) {
        return refusal(which + " expired on " + date(certificate.getNotAfter()), failure);
      }
      if (now.before(certificate.getNotBefore())) {
        return refusal(
            which
                + " is not valid before "
                + date(certificate.getNotBefore())
                + " (is the clock of Ferry's host right?)",
            failure);
      }
    }
    // Before the host name: PKIX may refuse a chain that ends with a valid copy of an expired CA.
    UntrustedCertificateException invalidAuthority = invalidAuthority(chain, failure);
    if (invalidAuthority != null) {
      return invalidAuthority;
    }
    if (withoutHostname != null && host != null && passes(withoutHostname)) {
      return refusal(
          "the "
              + wording.peer()
              + "'s certificate does not match "
              + host
              + ": it is for "
              + alternativeNames(chain[0])
              + " (hostname verification; set "
              + wording.hostnameVerificationSetting()
              + "=false to turn it off)",
          failure);
    }
    if (hasCause(failure, CertPathBuilderException.class)) {
      return refusal(
          "the "
              + wording.peer()
              + "'s certificate ("
              + name(chain[0])
              + ", issued by "
              + name(chain[chain.length - 1].getIssuerX500Principal())
              + ") is not signed by a CA in "
              + wording.authoritySetting()
              + " ("
              + wording.authorityFile()
              + ")",
          failure);
    }
    return refusal(
        "the " + wording.peer() + "'s certificate is not trusted: " + failure.getMessage(),
        failure);
  }

  private static UntrustedCertificateException refusal(
      String message, CertificateException failure) {
    // JSSE picks its TLS alert (certificate_expired, ...) from the cause's cause: keep it.
    return new UntrustedCertificateException(
        message, failure.getCause() != null ? failure.getCause() : failure);
  }

  private static boolean passes(Check check) {
    try {
      check.run();
      return true;
    } catch (CertificateException e) {
      return false;
    }
  }

  private static boolean issued(X509Certificate authority, X509Certificate certificate) {
    if (!authority.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
      return false;
    }
    try {
      certificate.verify(authority.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean isValid(X509Certificate certificate, Date now) {
    return !now.before(certificate.getNotBefore()) && !now.after(certificate.getNotAfter());
  }

  private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    return HandshakeFailure.find(failure, type) != null;
  }

  /** The addresses a certificate is for: {@code 127.0.0.41, node1.example}. */
  static String alternativeNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> alternative : alternatives) {
          // 2 = dNSName, 7 = iPAddress
          if (alternative.get(0).equals(2) || alternative.get(0).equals(7)) {
            names.add(String.valueOf(alternative.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // Reported as having no names below.
    }
    return names.isEmpty()
        ? "no address: it has no DNS or IP subject alternative name (subject "
            + name(certificate)
            + ")"
        : String.join(", ", names);
  }

  static String name(X509Certificate certificate) {
    return name(certificate.getSubjectX500Principal());
  }

  private static String name(X500Principal principal) {
    return principal.getName(X500Principal.RFC2253);
  }

  static String date(Date date) {
    return DATE.format(date.toInstant());
  }

  @FunctionalInterface
  private interface Check {
    void run() throws CertificateException;
  }

  /** A refused certificate; the message says why, for an operator. */
  static final class UntrustedCertificateException extends CertificateException {
    UntrustedCertificateException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
