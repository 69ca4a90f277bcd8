package io.ferry.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.testing.tls.TestCertificates;
import io.ferry.testing.tls.TestCertificates.Authority;
import io.ferry.testing.tls.TestCertificates.Identity;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ferry's TLS towards clients, against a TLS client standing in for a driver. */
class ClientFacingTlsTest {

  @TempDir static Path directory;
  private static Authority authority;
  private static Identity ferry;
  private static Identity application;

  @BeforeAll
  static void certificates() {
    authority = TestCertificates.in(directory).authority("test-ca");
    ferry = authority.server("ferry", "127.0.0.1");
    application = authority.client("application");
  }

  @Test
  void should_accept_a_client_that_trusts_its_certificate() {
    // given
    ClientFacingTls tls = clientFacingTls(false);
    // when
    try (TlsPair pair = new TlsPair(driver(null), tls.newHandler(ByteBufAllocator.DEFAULT))) {
      pair.clientWrites("OPTIONS");
      // then
      assertThat(pair.serverHandshake().isSuccess()).isTrue();
    }
  }

  @Test
  void should_accept_a_client_certificate_signed_by_the_ca_when_it_requires_one() {
    // given
    ClientFacingTls tls = clientFacingTls(true);
    // when
    try (TlsPair pair =
        new TlsPair(driver(application), tls.newHandler(ByteBufAllocator.DEFAULT))) {
      pair.clientWrites("OPTIONS");
      // then
      assertThat(pair.serverHandshake().isSuccess()).isTrue();
    }
  }

  @Test
  void should_refuse_a_client_without_certificate_when_it_requires_one() {
    // given
    ClientFacingTls tls = clientFacingTls(true);
    // when
    try (TlsPair pair = new TlsPair(driver(null), tls.newHandler(ByteBufAllocator.DEFAULT))) {
      pair.clientWrites("OPTIONS");
      // then
      assertThat(tls.explain(pair.serverHandshake().cause()))
          .isEqualTo(
              "TLS handshake failed: the client presented no certificate (or none signed by a"
                  + " CA of ZDM_PROXY_TLS_CA_PATH, which clients keep to themselves), and"
                  + " ZDM_PROXY_TLS_REQUIRE_CLIENT_AUTH=true requires one");
    }
  }

  @Test
  void should_refuse_an_expired_client_certificate_and_say_when_it_expired() {
    // given
    ClientFacingTls tls = clientFacingTls(true);
    Identity expired = authority.expiredClient("old-application");
    // when
    try (TlsPair pair = new TlsPair(driver(expired), tls.newHandler(ByteBufAllocator.DEFAULT))) {
      pair.clientWrites("OPTIONS");
      // then
      assertThat(tls.explain(pair.serverHandshake().cause()))
          .isEqualTo(
              "TLS handshake failed: the client's certificate (CN=old-application) expired on "
                  + ExplainingTrustManager.date(expired.certificate().getNotAfter()));
    }
  }

  @Test
  void should_say_that_a_client_did_not_start_a_tls_handshake() {
    // given
    ClientFacingTls tls = clientFacingTls(false);
    SslHandler handler = tls.newHandler(ByteBufAllocator.DEFAULT);
    EmbeddedChannel channel =
        new EmbeddedChannel(
            handler,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {}
            });
    // when a driver without TLS sends OPTIONS
    channel.writeInbound(
        channel.alloc().buffer().writeBytes(new byte[] {0x04, 0, 0, 0, 0x05, 0, 0, 0, 0}));
    // then
    assertThat(tls.explain(handler.handshakeFuture().cause()))
        .isEqualTo(
            "TLS handshake failed: the client did not start a TLS handshake: with"
                + " ZDM_PROXY_TLS_CERT_PATH set, clients must connect with TLS");
    channel.finishAndReleaseAll();
  }

  private static ClientFacingTls clientFacingTls(boolean requireClientAuth) {
    Map<String, String> env = new HashMap<>();
    env.put("ZDM_ORIGIN_CONTACT_POINTS", "127.0.0.41");
    env.put("ZDM_TARGET_CONTACT_POINTS", "127.0.0.42");
    env.put("ZDM_PROXY_TLS_CA_PATH", authority.certificatePem().toString());
    env.put("ZDM_PROXY_TLS_CERT_PATH", ferry.certificatePem().toString());
    env.put("ZDM_PROXY_TLS_KEY_PATH", ferry.privateKeyPem().toString());
    env.put("ZDM_PROXY_TLS_REQUIRE_CLIENT_AUTH", Boolean.toString(requireClientAuth));
    ProxySettings settings =
        ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values())));
    return TlsContexts.load(settings).clientFacing().orElseThrow();
  }

  /** A driver's TLS: trusts the CA, presents {@code identity} when given. */
  private static SslHandler driver(Identity identity) {
    try {
      SslContextBuilder builder =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.JDK)
              .trustManager(authority.certificate());
      if (identity != null) {
        builder.keyManager(identity.privateKey(), identity.certificate());
      }
      return builder.build().newHandler(ByteBufAllocator.DEFAULT, "127.0.0.1", 14002);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
