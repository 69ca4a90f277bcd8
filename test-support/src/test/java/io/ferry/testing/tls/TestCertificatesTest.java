package io.ferry.testing.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.testing.tls.TestCertificates.Authority;
import io.ferry.testing.tls.TestCertificates.Identity;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCertificatesTest {

  @TempDir Path directory;

  @Test
  void should_issue_server_certificates_that_the_authority_validates() throws Exception {
    // given
    Authority authority = TestCertificates.in(directory).authority("test-ca");
    // when
    Identity node = authority.server("node", "127.0.0.41");
    // then
    X509TrustManager trustManager = trustManager(authority.truststore());
    trustManager.checkServerTrusted(new X509Certificate[] {node.certificate()}, "ECDHE_ECDSA");
    assertThat(node.certificate().getSubjectAlternativeNames())
        .containsExactly(List.of(7, "127.0.0.41"));
    assertThat(node.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
  }

  @Test
  void should_write_pem_files_and_pkcs12_stores() throws Exception {
    // given
    Authority authority = TestCertificates.in(directory).authority("test-ca");
    // when
    Identity client = authority.client("application");
    // then
    assertThat(read(client.certificatePem())).isEqualTo(client.certificate());
    assertThat(read(authority.certificatePem())).isEqualTo(authority.certificate());
    assertThat(Files.readString(client.privateKeyPem()))
        .startsWith("-----BEGIN PRIVATE KEY-----\n");
    KeyStore keystore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(client.keystore())) {
      keystore.load(in, TestCertificates.STORE_PASSWORD.toCharArray());
    }
    assertThat(keystore.getCertificateChain("identity"))
        .containsExactly(client.certificate(), authority.certificate());
  }

  @Test
  void should_make_expired_certificates_and_an_expired_copy_of_an_authority() throws Exception {
    // given
    Authority authority = TestCertificates.in(directory).authority("test-ca");
    // when
    Identity expired = authority.expiredServer("old-node", "127.0.0.41");
    Authority expiredAuthority = authority.expiredCopy();
    // then
    assertThatThrownBy(() -> expired.certificate().checkValidity())
        .isInstanceOf(CertificateExpiredException.class);
    assertThatThrownBy(() -> expiredAuthority.certificate().checkValidity())
        .isInstanceOf(CertificateExpiredException.class);
    assertThat(expiredAuthority.certificate().getSubjectX500Principal())
        .isEqualTo(authority.certificate().getSubjectX500Principal());
    assertThat(expiredAuthority.certificate().getPublicKey())
        .isEqualTo(authority.certificate().getPublicKey());
    assertThat(expiredAuthority.certificatePem()).isNotEqualTo(authority.certificatePem());
  }

  private static X509TrustManager trustManager(Path truststore) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(truststore)) {
      store.load(in, TestCertificates.STORE_PASSWORD.toCharArray());
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(store);
    return (X509TrustManager) factory.getTrustManagers()[0];
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
