package io.ferry.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.testing.tls.TestCertificates;
import io.ferry.testing.tls.TestCertificates.Authority;
import io.ferry.testing.tls.TestCertificates.Identity;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

  @TempDir Path directory;

  @Test
  void should_read_a_certificate_chain_in_file_order() throws Exception {
    // given
    Authority authority = TestCertificates.in(directory).authority("ca");
    Identity node = authority.server("node", "127.0.0.41");
    Path chain =
        Files.writeString(
            directory.resolve("chain.pem"),
            "node\n"
                + Files.readString(node.certificatePem())
                + "ca\n"
                + Files.readString(authority.certificatePem()));
    // when / then
    assertThat(PemFiles.certificates(chain))
        .containsExactly(node.certificate(), authority.certificate());
  }

  @Test
  void should_read_pkcs8_keys() throws Exception {
    // given
    Identity client = TestCertificates.in(directory).authority("ca").client("client");
    // when / then
    assertThat(PemFiles.privateKey(client.privateKeyPem())).isEqualTo(client.privateKey());
  }

  @Test
  void should_read_pkcs1_rsa_keys_and_sec1_ec_keys_as_openssl_writes_them() throws Exception {
    // given keys in the traditional OpenSSL formats (the EC one naming its curve, as OpenSSL does)
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    PrivateKey rsaKey = rsa.generateKeyPair().getPrivate();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair ecKeys = ec.generateKeyPair();
    Path rsaFile = Files.writeString(directory.resolve("rsa.pem"), traditional(rsaKey));
    Path ecFile = Files.writeString(directory.resolve("ec.pem"), sec1(ecKeys.getPrivate()));
    assertThat(Files.readString(rsaFile)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(Files.readString(ecFile)).startsWith("-----BEGIN EC PRIVATE KEY-----");
    // when / then
    assertThat(PemFiles.privateKey(rsaFile).getEncoded()).isEqualTo(rsaKey.getEncoded());
    assertThat(PemFiles.privateKey(ecFile).getAlgorithm()).isEqualTo("EC");
    assertThat(((ECPrivateKey) PemFiles.privateKey(ecFile)).getS())
        .isEqualTo(((ECPrivateKey) ecKeys.getPrivate()).getS());
  }

  @Test
  void should_say_what_a_file_holds_instead_of_what_was_expected() throws Exception {
    // given
    Identity client = TestCertificates.in(directory).authority("ca").client("client");
    Path empty = Files.writeString(directory.resolve("empty.pem"), "nothing here\n");
    Path der = Files.write(directory.resolve("cert.der"), client.certificate().getEncoded());
    Path encrypted = Files.writeString(directory.resolve("encrypted.pem"), encrypted());
    // when / then
    assertThatThrownBy(() -> PemFiles.certificates(client.privateKeyPem()))
        .hasMessage(
            "expected PEM certificates (-----BEGIN CERTIFICATE-----), but the file holds a private"
                + " key (are the certificate and key paths swapped?)");
    assertThatThrownBy(() -> PemFiles.privateKey(client.certificatePem()))
        .hasMessage(
            "expected a PEM private key (-----BEGIN PRIVATE KEY-----), but the file holds"
                + " certificates only (are the certificate and key paths swapped?)");
    assertThatThrownBy(() -> PemFiles.certificates(empty))
        .hasMessageStartingWith(
            "expected PEM certificates (-----BEGIN CERTIFICATE-----), but the file has no PEM"
                + " block");
    assertThatThrownBy(() -> PemFiles.certificates(der))
        .hasMessageContaining("if it is DER, convert it with `openssl x509 -inform der`");
    assertThatThrownBy(() -> PemFiles.privateKey(encrypted))
        .hasMessageStartingWith("expected an unencrypted private key, but it is encrypted");
  }

  private static String traditional(PrivateKey key) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(key);
    }
    return out.toString();
  }

  private static String sec1(PrivateKey key) throws Exception {
    ECPrivateKey ecKey = (ECPrivateKey) key;
    byte[] der =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
                384, ecKey.getS(), new X962Parameters(SECObjectIdentifiers.secp384r1))
            .getEncoded();
    return "-----BEGIN EC PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END EC PRIVATE KEY-----\n";
  }

  private static String encrypted() {
    // Only the block type matters: Ferry refuses encrypted keys before decoding them.
    return "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjAp\n"
        + "-----END ENCRYPTED PRIVATE KEY-----\n";
  }
}
