package io.ferry.testing.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates certificate authorities and the certificates they issue into one directory, for tests
 * of TLS between drivers, Ferry and Cassandra nodes:
 *
 * <pre>{@code
 * TestCertificates certificates = TestCertificates.in(directory);
 * Authority ca = certificates.authority("test-ca");
 * Identity node = ca.server("node", "127.0.0.41");   // node.crt.pem, node.key.pem, node.p12
 * Identity client = ca.client("application");
 * Authority expired = ca.expiredCopy();               // same name and key, expired certificate
 * }</pre>
 *
 * <p>Every certificate uses an EC P-256 key (fast to generate). Valid certificates are valid from a
 * day ago for a year; expired ones ended 30 days ago. Certificates are written as PEM, private keys
 * as unencrypted PKCS#8 PEM (what Ferry and the ZDM Proxy read), and PKCS12 stores (what
 * Cassandra's {@code client_encryption_options} read, with {@code store_type: PKCS12}) use {@link
 * #STORE_PASSWORD}.
 *
 * <p>Test material only: the keys are written unprotected.
 */
public final class TestCertificates {

  /** The password of every PKCS12 store written by this class. */
  public static final String STORE_PASSWORD = "ferry-test-store";

  private static final Duration VALID_BEFORE_NOW = Duration.ofDays(1);
  private static final Duration VALID_AFTER_NOW = Duration.ofDays(365);
  private static final Duration EXPIRED_LIFETIME = Duration.ofDays(365);
  private static final Duration EXPIRED_SINCE = Duration.ofDays(30);

  private final Path directory;
  private final SecureRandom random = new SecureRandom();

  private TestCertificates(Path directory) {
    this.directory = directory;
  }

  /** Writes certificates into {@code directory}, which is created if needed. */
  public static TestCertificates in(Path directory) {
    try {
      return new TestCertificates(Files.createDirectories(directory));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path directory() {
    return directory;
  }

  /**
   * A new self-signed certificate authority named {@code CN=<name>}; its certificate goes to {@code
   * <name>.pem} and, as the only trusted entry of a truststore, to {@code <name>-truststore.p12}.
   */
  public Authority authority(String name) {
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    return new Authority(
        name,
        keys,
        selfSigned(name, keys, now.minus(VALID_BEFORE_NOW), now.plus(VALID_AFTER_NOW)),
        name);
  }

  /** A certificate authority: issues certificates and can be trusted. */
  public final class Authority {
    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final Path certificatePem;
    private final Path truststore;

    private Authority(String name, KeyPair keys, X509Certificate certificate, String fileName) {
      this.name = name;
      this.keys = keys;
      this.certificate = certificate;
      this.certificatePem = writePem(fileName + ".pem", "CERTIFICATE", encoded(certificate));
      this.truststore = writeTruststore(fileName + "-truststore.p12", certificate);
    }

    public X509Certificate certificate() {
      return certificate;
    }

    /** The CA's certificate as PEM: what Ferry's {@code *_CA_PATH} settings take. */
    public Path certificatePem() {
      return certificatePem;
    }

    /** A PKCS12 truststore holding this CA's certificate: what Cassandra's truststore takes. */
    public Path truststore() {
      return truststore;
    }

    /**
     * The same authority (same name, same key: it "issued" every certificate this one issues) with
     * a certificate that expired 30 days ago, in {@code <name>-expired.pem}: an operator's stale CA
     * file.
     */
    public Authority expiredCopy() {
      Instant end = Instant.now().minus(EXPIRED_SINCE);
      return new Authority(
          name, keys, selfSigned(name, keys, end.minus(EXPIRED_LIFETIME), end), name + "-expired");
    }

    /**
     * A server certificate ({@code CN=<name>}, extended key usage serverAuth) for the given IP
     * addresses (subject alternative names of type IP), valid now.
     */
    public Identity server(String name, String... ipAddresses) {
      Instant now = Instant.now();
      return issue(
          name,
          KeyPurposeId.id_kp_serverAuth,
          now.minus(VALID_BEFORE_NOW),
          now.plus(VALID_AFTER_NOW),
          ipAddresses);
    }

    /** Like {@link #server}, but the certificate expired 30 days ago. */
    public Identity expiredServer(String name, String... ipAddresses) {
      Instant end = Instant.now().minus(EXPIRED_SINCE);
      return issue(
          name, KeyPurposeId.id_kp_serverAuth, end.minus(EXPIRED_LIFETIME), end, ipAddresses);
    }

    /** A client certificate ({@code CN=<name>}, extended key usage clientAuth), valid now. */
    public Identity client(String name) {
      Instant now = Instant.now();
      return issue(
          name,
          KeyPurposeId.id_kp_clientAuth,
          now.minus(VALID_BEFORE_NOW),
          now.plus(VALID_AFTER_NOW));
    }

    /** Like {@link #client}, but the certificate expired 30 days ago. */
    public Identity expiredClient(String name) {
      Instant end = Instant.now().minus(EXPIRED_SINCE);
      return issue(name, KeyPurposeId.id_kp_clientAuth, end.minus(EXPIRED_LIFETIME), end);
    }

    /**
     * An {@link SSLContext} for a TLS client (a driver) that trusts this authority and presents
     * {@code identity}, or no certificate when it is {@code null}.
     */
    public SSLContext clientContext(Identity identity) {
      try {
        KeyStore trusted = emptyStore();
        trusted.setCertificateEntry("ca", certificate);
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        KeyManagerFactory keys = null;
        if (identity != null) {
          keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
          keys.init(identity.keyStore(), STORE_PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), random);
        return context;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    private Identity issue(
        String subject,
        KeyPurposeId purpose,
        Instant notBefore,
        Instant notAfter,
        String... ipAddresses) {
      KeyPair subjectKeys = newKeyPair();
      try {
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder =
            new JcaX509v3CertificateBuilder(
                    certificate,
                    serialNumber(),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    new X500Name("CN=" + subject),
                    subjectKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                .addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    extensions.createAuthorityKeyIdentifier(certificate))
                .addExtension(
                    Extension.subjectKeyIdentifier,
                    false,
                    extensions.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        if (ipAddresses.length > 0) {
          List<GeneralName> names = new ArrayList<>();
          for (String address : ipAddresses) {
            names.add(new GeneralName(GeneralName.iPAddress, address));
          }
          builder.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        X509Certificate issued = sign(builder, keys.getPrivate());
        return new Identity(
            subject, issued, subjectKeys.getPrivate(), List.of(issued, certificate));
      } catch (CertIOException | GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A certificate with its private key, written as PEM files and a PKCS12 keystore. */
  public final class Identity {
    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;
    private final Path certificatePem;
    private final Path privateKeyPem;
    private final Path keystore;

    private Identity(
        String name,
        X509Certificate certificate,
        PrivateKey privateKey,
        List<X509Certificate> chain) {
      this.certificate = certificate;
      this.privateKey = privateKey;
      this.chain = List.copyOf(chain);
      this.certificatePem = writePem(name + ".crt.pem", "CERTIFICATE", encoded(certificate));
      this.privateKeyPem = writePem(name + ".key.pem", "PRIVATE KEY", privateKey.getEncoded());
      this.keystore = write(name + ".p12", this::writeKeyStore);
    }

    public X509Certificate certificate() {
      return certificate;
    }

    public PrivateKey privateKey() {
      return privateKey;
    }

    /** The certificate, then its CA's: what a server presents. */
    public List<X509Certificate> chain() {
      return chain;
    }

    /** The certificate as PEM: what Ferry's {@code *_CERT_PATH} settings take. */
    public Path certificatePem() {
      return certificatePem;
    }

    /** The private key as unencrypted PKCS#8 PEM: what Ferry's {@code *_KEY_PATH} settings take. */
    public Path privateKeyPem() {
      return privateKeyPem;
    }

    /**
     * A PKCS12 keystore with the key and its chain (certificate, then the CA's): what Cassandra's
     * keystore takes.
     */
    public Path keystore() {
      return keystore;
    }

    private KeyStore keyStore() throws GeneralSecurityException {
      KeyStore store = emptyStore();
      store.setKeyEntry(
          "identity",
          privateKey,
          STORE_PASSWORD.toCharArray(),
          chain.toArray(X509Certificate[]::new));
      return store;
    }

    private void writeKeyStore(OutputStream out) throws IOException, GeneralSecurityException {
      keyStore().store(out, STORE_PASSWORD.toCharArray());
    }
  }

  private X509Certificate selfSigned(
      String name, KeyPair keys, Instant notBefore, Instant notAfter) {
    try {
      X500Name subject = new X500Name("CN=" + name);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serialNumber(),
                  Date.from(notBefore),
                  Date.from(notAfter),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(builder, keys.getPrivate());
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private BigInteger serialNumber() {
    return new BigInteger(63, random).add(BigInteger.ONE);
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    return store;
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path writeTruststore(String fileName, X509Certificate authority) {
    return write(
        fileName,
        out -> {
          KeyStore store = emptyStore();
          store.setCertificateEntry("ca", authority);
          store.store(out, STORE_PASSWORD.toCharArray());
        });
  }

  private Path writePem(String fileName, String type, byte[] der) {
    String pem =
        "-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n";
    return write(fileName, out -> out.write(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private Path write(String fileName, Writer writer) {
    Path file = directory.resolve(fileName);
    try (OutputStream out = Files.newOutputStream(file)) {
      writer.write(out);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @FunctionalInterface
  private interface Writer {
    void write(OutputStream out) throws IOException, GeneralSecurityException;
  }
}
