package io.ferry.proxy.tls;

import io.ferry.proxy.config.ConfigOption;
import io.ferry.proxy.config.InvalidConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PEM files that TLS settings name, at start-up, collecting every problem (each naming
 * the setting and the file) so that one attempt reports them all; warns about certificates that are
 * not valid now.
 *
 * <p>Not thread-safe: used once, by the thread that starts Ferry.
 */
final class KeyMaterial {

  private static final Logger LOG = LoggerFactory.getLogger(KeyMaterial.class);

  private final List<String> problems = new ArrayList<>();

  /**
   * The certificates of {@code file}, warning about those not valid now.
   *
   * @param authorities whether they are CA certificates (rather than Ferry's own)
   * @param refusedBy who refuses Ferry's own certificate when it is not valid: "clients", "the
   *     origin nodes"
   * @return the certificates; empty, with a problem recorded, when the file cannot be used
   */
  List<X509Certificate> certificates(
      ConfigOption option, Path file, boolean authorities, String refusedBy) {
    List<X509Certificate> certificates;
    try {
      certificates = PemFiles.certificates(file);
    } catch (IOException | IllegalArgumentException e) {
      problem(option, file, e);
      return List.of();
    }
    Date now = new Date();
    for (X509Certificate certificate : certificates) {
      String validity =
          now.after(certificate.getNotAfter())
              ? "expired on " + ExplainingTrustManager.date(certificate.getNotAfter())
              : now.before(certificate.getNotBefore())
                  ? "is not valid before " + ExplainingTrustManager.date(certificate.getNotBefore())
                  : null;
      if (validity != null) {
        LOG.warn(
            "{} = {}: the {}certificate {} {}; {}",
            option.label(),
            file,
            authorities ? "CA " : "",
            ExplainingTrustManager.name(certificate),
            validity,
            authorities ? "certificates it signed are refused" : refusedBy + " will refuse it");
      }
    }
    return certificates;
  }

  /** The private key of {@code file}; null, with a problem recorded, when it cannot be used. */
  PrivateKey privateKey(ConfigOption option, Path file) {
    try {
      return PemFiles.privateKey(file);
    } catch (IOException | IllegalArgumentException e) {
      problem(option, file, e);
      return null;
    }
  }

  /** Records a problem unless {@code key} is the private key of {@code certificate}. */
  void checkKeyMatches(
      ConfigOption keyOption,
      Path keyFile,
      PrivateKey key,
      ConfigOption certificateOption,
      X509Certificate certificate) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
          case "DSA" -> "SHA256withDSA";
          default -> null;
        };
    if (algorithm == null) {
      return;
    }
    byte[] probe = "ferry".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      problems.add(
          keyOption.label()
              + " = "
              + keyFile
              + ": expected the private key of the certificate "
              + ExplainingTrustManager.name(certificate)
              + " of "
              + certificateOption.label()
              + ", but it is another key");
    }
  }

  /** Records a problem that is not about one file. */
  void problem(String problem) {
    problems.add(problem);
  }

  boolean hasProblems() {
    return !problems.isEmpty();
  }

  /** Throws if any file could not be used. */
  void throwIfInvalid() {
    if (!problems.isEmpty()) {
      throw new InvalidConfigurationException(problems);
    }
  }

  private void problem(ConfigOption option, Path file, Exception e) {
    String explanation =
        e instanceof IOException
            ? "expected a readable file, but reading it failed (" + e + ")"
            : e.getMessage();
    problems.add(option.label() + " = " + file + ": " + explanation);
  }
}
