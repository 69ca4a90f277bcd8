package io.ferry.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.InvalidConfigurationException;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.testing.tls.TestCertificates;
import io.ferry.testing.tls.TestCertificates.Authority;
import io.ferry.testing.tls.TestCertificates.Identity;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {

  @TempDir Path directory;

  @Test
  void should_load_nothing_when_tls_is_off() {
    // when
    TlsContexts tls = TlsContexts.load(settings(Map.of()));
    // then
    assertThat(tls.clientFacing()).isEmpty();
    assertThat(tls.origin()).isEmpty();
    assertThat(tls.target()).isEmpty();
  }

  @Test
  void should_load_one_way_and_mutual_tls_per_cluster() {
    // given
    Authority authority = TestCertificates.in(directory).authority("ca");
    Identity ferry = authority.client("ferry");
    // when
    TlsContexts tls =
        TlsContexts.load(
            settings(
                Map.of(
                    "ZDM_ORIGIN_TLS_SERVER_CA_PATH", authority.certificatePem().toString(),
                    "ZDM_TARGET_TLS_SERVER_CA_PATH", authority.certificatePem().toString(),
                    "ZDM_TARGET_TLS_CLIENT_CERT_PATH", ferry.certificatePem().toString(),
                    "ZDM_TARGET_TLS_CLIENT_KEY_PATH", ferry.privateKeyPem().toString())));
    // then
    assertThat(tls.clientFacing()).isEmpty();
    assertThat(tls.origin()).isPresent();
    assertThat(tls.target()).isPresent();
  }

  @Test
  void should_refuse_to_start_with_files_that_cannot_be_used_naming_each_setting_and_file() {
    // given a key that is not the certificate's, and a CA file that holds a key
    TestCertificates certificates = TestCertificates.in(directory);
    Authority authority = certificates.authority("ca");
    Identity ferry = authority.server("ferry", "127.0.0.1");
    Identity other = authority.client("other");
    // when
    Throwable thrown =
        catchThrowable(
            () ->
                TlsContexts.load(
                    settings(
                        Map.of(
                            "ZDM_PROXY_TLS_CA_PATH", other.privateKeyPem().toString(),
                            "ZDM_PROXY_TLS_CERT_PATH", ferry.certificatePem().toString(),
                            "ZDM_PROXY_TLS_KEY_PATH", other.privateKeyPem().toString()))));
    // then
    assertThat(((InvalidConfigurationException) thrown).problems())
        .containsExactly(
            "ferry.proxy.tls.ca-path (ZDM_PROXY_TLS_CA_PATH) = "
                + other.privateKeyPem()
                + ": expected PEM certificates (-----BEGIN CERTIFICATE-----), but the file holds a"
                + " private key (are the certificate and key paths swapped?)",
            "ferry.proxy.tls.key-path (ZDM_PROXY_TLS_KEY_PATH) = "
                + other.privateKeyPem()
                + ": expected the private key of the certificate CN=ferry of"
                + " ferry.proxy.tls.cert-path (ZDM_PROXY_TLS_CERT_PATH), but it is another key");
  }

  private static ProxySettings settings(Map<String, String> environment) {
    Map<String, String> env = new HashMap<>();
    env.put("ZDM_ORIGIN_CONTACT_POINTS", "127.0.0.41");
    env.put("ZDM_TARGET_CONTACT_POINTS", "127.0.0.42");
    env.putAll(environment);
    return ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values())));
  }
}
