package io.ferry.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrowserGuardTest {

  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 8888);
  private final BrowserGuard guard = new BrowserGuard("localhost", List.of());

  private static HttpHeaders headers(String... namesAndValues) {
    HttpHeaders headers = new DefaultHttpHeaders();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  @Test
  void should_let_curl_through_by_name_or_address() {
    // given: what curl sends (no Origin, no Sec-Fetch-*)
    List<HttpHeaders> curl =
        List.of(
            headers("Host", "localhost:8888"),
            headers("Host", "127.0.0.1:8888"),
            headers("Host", "127.0.0.1"),
            headers("Host", "LOCALHOST.:8888"),
            headers());
    // when / then
    curl.forEach(request -> assertThat(guard.refusal(request, LOOPBACK)).isNull());
  }

  @Test
  void should_let_the_address_bar_and_same_origin_calls_through() {
    // given
    HttpHeaders typed = headers("Host", "localhost:8888", "Sec-Fetch-Site", "none");
    HttpHeaders sameOrigin =
        headers(
            "Host",
            "localhost:8888",
            "Sec-Fetch-Site",
            "same-origin",
            "Origin",
            "http://localhost:8888");
    // when / then
    assertThat(guard.refusal(typed, LOOPBACK)).isNull();
    assertThat(guard.refusal(sameOrigin, LOOPBACK)).isNull();
  }

  @Test
  void should_refuse_what_a_browser_sends_for_another_site() {
    // given
    HttpHeaders crossSite = headers("Host", "localhost:8888", "Sec-Fetch-Site", "cross-site");
    HttpHeaders sameSite = headers("Host", "localhost:8888", "Sec-Fetch-Site", "same-site");
    // when / then
    assertThat(guard.refusal(crossSite, LOOPBACK)).contains("Sec-Fetch-Site: cross-site");
    assertThat(guard.refusal(sameSite, LOOPBACK)).contains("Sec-Fetch-Site: same-site");
  }

  @Test
  void should_refuse_a_foreign_origin_even_on_the_same_host() {
    // given: an old browser without Sec-Fetch-Site, posting a form from another site or port
    List<String> foreign =
        List.of(
            "https://attacker.example",
            "http://localhost:3000",
            "http://127.0.0.1",
            "null",
            "file://");
    // when / then
    for (String origin : foreign) {
      assertThat(guard.refusal(headers("Host", "localhost:8888", "Origin", origin), LOOPBACK))
          .as(origin)
          .contains("Origin: " + origin)
          .contains("http://");
    }
  }

  @Test
  void should_refuse_a_host_the_api_does_not_listen_as() {
    // given: a DNS rebinding page, its name now resolving to 127.0.0.1
    HttpHeaders rebound = headers("Host", "attacker.example:8888");
    // when
    String refusal = guard.refusal(rebound, LOOPBACK);
    // then
    assertThat(refusal)
        .contains("Host: attacker.example:8888")
        .contains("DNS rebinding")
        .contains("127.0.0.1, localhost")
        .contains("ferry.admin.host-names");
  }

  @Test
  void should_accept_the_configured_host_names() {
    // given
    BrowserGuard named = new BrowserGuard("10.0.0.7", List.of("Ferry-1.example.com"));
    InetSocketAddress local = new InetSocketAddress("10.0.0.7", 8888);
    // when / then
    assertThat(named.refusal(headers("Host", "ferry-1.example.com:8888"), local)).isNull();
    assertThat(named.refusal(headers("Host", "10.0.0.7:8888"), local)).isNull();
    assertThat(named.refusal(headers("Host", "ferry-2.example.com:8888"), local)).isNotNull();
  }

  @Test
  void should_accept_any_address_of_the_host_when_listening_on_every_interface() {
    // given
    BrowserGuard wildcard = new BrowserGuard("0.0.0.0", List.of());
    InetSocketAddress local = new InetSocketAddress("10.0.0.7", 8888);
    // when / then
    assertThat(wildcard.refusal(headers("Host", "10.0.0.7:8888"), local)).isNull();
    assertThat(wildcard.refusal(headers("Host", "[::1]:8888"), local)).isNull();
    assertThat(wildcard.refusal(headers("Host", "attacker.example"), local)).isNotNull();
  }
}
