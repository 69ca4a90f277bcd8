package io.ferry.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.testing.tls.TestCertificates;
import io.ferry.testing.tls.TestCertificates.Authority;
import io.ferry.testing.tls.TestCertificates.Identity;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ferry's TLS towards a node, against a TLS server standing in for the node. */
class ClusterTlsTest {

  private static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.42", 9042);

  @TempDir static Path directory;
  private static Authority authority;
  private static Identity node;
  private static Identity ferry;

  @BeforeAll
  static void certificates() {
    authority = TestCertificates.in(directory).authority("test-ca");
    node = authority.server("node", "127.0.0.42");
    ferry = authority.client("ferry");
  }

  @Test
  void should_connect_to_a_node_whose_certificate_names_the_address_ferry_connects_to() {
    // given
    ClusterTls tls = targetTls(Map.of());
    // when
    try (TlsPair pair = new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(node, null))) {
      pair.exchange();
      // then
      assertThat(pair.clientHandshake().isSuccess()).isTrue();
    }
  }

  @Test
  void should_refuse_a_node_whose_certificate_names_another_address() {
    // given
    ClusterTls tls = targetTls(Map.of());
    Identity elsewhere = authority.server("elsewhere", "127.0.0.49");
    // when
    try (TlsPair pair =
        new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(elsewhere, null))) {
      pair.exchange();
      // then
      assertThat(tls.explain(pair.clientHandshake().cause()))
          .isEqualTo(
              "TLS handshake failed: the node's certificate does not match 127.0.0.42: it is for"
                  + " 127.0.0.49 (hostname verification; set"
                  + " FERRY_TARGET_TLS_HOSTNAME_VERIFICATION=false to turn it off)");
    }
  }

  @Test
  void should_accept_a_certificate_for_another_address_when_hostname_verification_is_off() {
    // given
    ClusterTls tls = targetTls(Map.of("FERRY_TARGET_TLS_HOSTNAME_VERIFICATION", "false"));
    Identity elsewhere = authority.server("elsewhere", "127.0.0.49");
    // when
    try (TlsPair pair =
        new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(elsewhere, null))) {
      pair.exchange();
      // then
      assertThat(pair.clientHandshake().isSuccess()).isTrue();
    }
  }

  @Test
  void should_refuse_an_expired_node_certificate_and_say_when_it_expired() {
    // given
    ClusterTls tls = targetTls(Map.of());
    Identity expired = authority.expiredServer("old-node", "127.0.0.42");
    // when
    try (TlsPair pair =
        new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(expired, null))) {
      pair.exchange();
      // then
      assertThat(tls.explain(pair.clientHandshake().cause()))
          .isEqualTo(
              "TLS handshake failed: the node's certificate (CN=old-node) expired on "
                  + ExplainingTrustManager.date(expired.certificate().getNotAfter()));
    }
  }

  @Test
  void should_refuse_a_node_signed_by_a_ca_that_is_not_in_the_ca_file() {
    // given
    ClusterTls tls = targetTls(Map.of());
    Identity stranger =
        TestCertificates.in(directory.resolve("other"))
            .authority("other-ca")
            .server("stranger", "127.0.0.42");
    // when
    try (TlsPair pair =
        new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(stranger, null))) {
      pair.exchange();
      // then
      assertThat(tls.explain(pair.clientHandshake().cause()))
          .isEqualTo(
              "TLS handshake failed: the node's certificate (CN=stranger, issued by CN=other-ca)"
                  + " is not signed by a CA in ZDM_TARGET_TLS_SERVER_CA_PATH ("
                  + authority.certificatePem()
                  + ")");
    }
  }

  @Test
  void should_refuse_a_node_when_the_ca_certificate_of_the_ca_file_has_expired() {
    // given Ferry with a stale copy of the CA that signed the node's certificate
    Authority expiredCopy = authority.expiredCopy();
    ClusterTls tls =
        targetTls(Map.of("ZDM_TARGET_TLS_SERVER_CA_PATH", expiredCopy.certificatePem().toString()));
    // when
    try (TlsPair pair = new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(node, null))) {
      pair.exchange();
      // then
      assertThat(tls.explain(pair.clientHandshake().cause()))
          .isEqualTo(
              "TLS handshake failed: the node's certificate is signed by CN=test-ca, whose"
                  + " certificate in ZDM_TARGET_TLS_SERVER_CA_PATH ("
                  + expiredCopy.certificatePem()
                  + ") expired on "
                  + ExplainingTrustManager.date(expiredCopy.certificate().getNotAfter()));
    }
  }

  @Test
  void should_present_its_client_certificate_to_a_node_that_requires_one() {
    // given
    ClusterTls tls = targetTls(mutual(ferry));
    // when
    try (TlsPair pair =
        new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(node, authority))) {
      pair.clientWrites("STARTUP");
      // then
      assertThat(pair.clientHandshake().isSuccess()).isTrue();
      assertThat(pair.serverHandshake().isSuccess()).isTrue();
      assertThat(pair.clientErrors()).isEmpty();
    }
  }

  @Test
  void should_say_that_a_node_requires_a_client_certificate() {
    // given Ferry without a client certificate
    ClusterTls tls = targetTls(Map.of());
    // when
    try (TlsPair pair =
        new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(node, authority))) {
      pair.clientWrites("STARTUP");
      // then TLS 1.3 lets the client finish its handshake before the node checks certificates
      assertThat(pair.clientErrors()).isNotEmpty();
      assertThat(ClusterTls.isTlsFailure(pair.clientErrors().get(0))).isTrue();
      assertThat(tls.explain(pair.clientErrors().get(0)))
          .isEqualTo(
              "TLS handshake failed: the node requires a client certificate (alert"
                  + " bad_certificate): set ZDM_TARGET_TLS_CLIENT_CERT_PATH and"
                  + " ZDM_TARGET_TLS_CLIENT_KEY_PATH");
    }
  }

  @Test
  void should_say_that_a_node_refused_the_client_certificate() {
    // given a client certificate of a CA the node does not trust
    Identity stranger =
        TestCertificates.in(directory.resolve("strangers")).authority("other-ca").client("ferry");
    ClusterTls tls = targetTls(mutual(stranger));
    // when
    try (TlsPair pair =
        new TlsPair(tls.newHandler(ALLOCATOR, NODE, TIMEOUT), node(node, authority))) {
      pair.clientWrites("STARTUP");
      // then
      assertThat(pair.clientErrors()).isNotEmpty();
      assertThat(tls.explain(pair.clientErrors().get(0)))
          .startsWith(
              "TLS handshake failed: the node refused Ferry's client certificate"
                  + " (ZDM_TARGET_TLS_CLIENT_CERT_PATH: "
                  + stranger.certificatePem()
                  + ") with the alert ")
          .endsWith(": is it signed by a CA of the node's truststore, and valid?");
    }
  }

  @Test
  void should_say_that_a_node_does_not_speak_tls() {
    // given
    ClusterTls tls = targetTls(Map.of());
    // when
    try (TlsPair pair = TlsPair.withPlainServer(tls.newHandler(ALLOCATOR, NODE, TIMEOUT))) {
      pair.exchange();
      // then
      assertThat(tls.explain(pair.clientHandshake().cause()))
          .isEqualTo(
              "TLS handshake failed: the node answered without TLS: is client_encryption_options"
                  + " enabled on it, and is ferry.target.port its TLS port?");
    }
  }

  private static final ByteBufAllocator ALLOCATOR = ByteBufAllocator.DEFAULT;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static Map<String, String> mutual(Identity client) {
    return Map.of(
        "ZDM_TARGET_TLS_CLIENT_CERT_PATH",
        client.certificatePem().toString(),
        "ZDM_TARGET_TLS_CLIENT_KEY_PATH",
        client.privateKeyPem().toString());
  }

  private static ClusterTls targetTls(Map<String, String> environment) {
    Map<String, String> env = new HashMap<>();
    env.put("ZDM_ORIGIN_CONTACT_POINTS", "127.0.0.41");
    env.put("ZDM_TARGET_CONTACT_POINTS", "127.0.0.42");
    env.put("ZDM_TARGET_TLS_SERVER_CA_PATH", authority.certificatePem().toString());
    env.putAll(environment);
    ProxySettings settings =
        ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values())));
    return TlsContexts.load(settings).target().orElseThrow();
  }

  /**
   * A TLS server as a node with client_encryption_options, requiring client certificates of {@code
   * clientCa} when given.
   */
  private static SslHandler node(Identity identity, Authority clientCa) {
    try {
      SslContextBuilder builder =
          SslContextBuilder.forServer(identity.privateKey(), identity.chain())
              .sslProvider(SslProvider.JDK);
      if (clientCa != null) {
        builder.clientAuth(ClientAuth.REQUIRE).trustManager(clientCa.certificate());
      }
      return builder.build().newHandler(ALLOCATOR);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
