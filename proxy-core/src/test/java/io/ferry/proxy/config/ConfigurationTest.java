package io.ferry.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.frame.ProtocolVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationTest {

  private static final Map<String, String> REQUIRED =
      Map.of("ZDM_ORIGIN_CONTACT_POINTS", "10.0.0.1", "ZDM_TARGET_CONTACT_POINTS", "10.0.1.1");

  private static ProxySettings load(Map<String, String> environment) {
    Map<String, String> env = new HashMap<>(REQUIRED);
    env.putAll(environment);
    return ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values())));
  }

  @Test
  void should_declare_every_option_in_reference_conf_and_nothing_else() {
    // given
    Config reference = ConfigFactory.defaultReference();
    Set<String> declared =
        Arrays.stream(ProxyOption.values()).map(ProxyOption::path).collect(Collectors.toSet());
    // when
    Set<String> inReference =
        reference.entrySet().stream()
            .map(Map.Entry::getKey)
            .filter(
                path ->
                    path.startsWith("ferry.origin.")
                        || path.startsWith("ferry.target.")
                        || path.startsWith("ferry.proxy.")
                        || (path.startsWith("ferry.metrics.")
                            && !path.equals("ferry.metrics.address")
                            && !path.equals("ferry.metrics.port")))
            .collect(Collectors.toSet());
    // then
    assertThat(inReference).containsExactlyInAnyOrderElementsOf(declared);
  }

  @Test
  void should_use_the_zdm_proxy_defaults() {
    // when
    ProxySettings settings = load(Map.of());
    // then
    assertThat(settings.listenAddress()).isEqualTo("localhost");
    assertThat(settings.listenPort()).isEqualTo(14002);
    assertThat(settings.primaryCluster()).isEqualTo(ClusterRole.ORIGIN);
    assertThat(settings.systemQueriesCluster()).isEqualTo(ClusterRole.ORIGIN);
    assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.maxClientConnections()).isEqualTo(1000);
    assertThat(settings.maxStreamIds()).isEqualTo(2048);
    assertThat(settings.heartbeat().interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.heartbeat().retryIntervalMin()).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.heartbeat().retryIntervalMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.heartbeat().retryBackoffFactor()).isEqualTo(2.0);
    assertThat(settings.heartbeat().failureThreshold()).isEqualTo(1);
    assertThat(settings.topology().index()).isZero();
    assertThat(settings.topology().addresses()).isEmpty();
    assertThat(settings.topology().numTokens()).isEqualTo(8);
    assertThat(settings.controlConnectionMaxProtocolVersion()).isEqualTo(ProtocolVersion.DSE_V2);
    assertThat(settings.origin().port()).isEqualTo(9042);
    assertThat(settings.origin().connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.origin().enableHostAssignment()).isTrue();
    assertThat(settings.maxFrameLength()).isEqualTo(16 * 1024 * 1024);
    assertThat(settings.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.incompleteFrameTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.metrics().enabled()).isTrue();
    assertThat(settings.metrics().prefix()).isEqualTo("zdm");
    assertThat(settings.metrics().originBuckets())
        .extracting(Duration::toMillis)
        .containsExactly(
            1L, 4L, 7L, 10L, 25L, 40L, 60L, 80L, 100L, 150L, 250L, 500L, 1000L, 2500L, 5000L,
            10000L, 15000L);
  }

  @Test
  void should_read_zdm_environment_variables_with_their_meaning() {
    // when
    ProxySettings settings =
        load(
            Map.ofEntries(
                Map.entry("ZDM_ORIGIN_CONTACT_POINTS", "10.0.0.1, 10.0.0.2 ,10.0.0.3"),
                Map.entry("ZDM_ORIGIN_PORT", "9043"),
                Map.entry("ZDM_TARGET_USERNAME", "cassandra"),
                Map.entry("ZDM_TARGET_PASSWORD", "secret"),
                Map.entry("ZDM_PRIMARY_CLUSTER", "target"),
                Map.entry("ZDM_SYSTEM_QUERIES_MODE", "TARGET"),
                Map.entry("ZDM_PROXY_LISTEN_ADDRESS", "0.0.0.0"),
                Map.entry("ZDM_PROXY_LISTEN_PORT", "9042"),
                Map.entry("ZDM_PROXY_REQUEST_TIMEOUT_MS", "2500"),
                Map.entry("ZDM_PROXY_MAX_CLIENT_CONNECTIONS", "10"),
                Map.entry("ZDM_PROXY_MAX_STREAM_IDS", "100"),
                Map.entry("ZDM_HEARTBEAT_INTERVAL_MS", "1000"),
                Map.entry("ZDM_PROXY_TOPOLOGY_INDEX", "2"),
                Map.entry("ZDM_PROXY_TOPOLOGY_ADDRESSES", "10.1.0.1,10.1.0.2,10.1.0.3"),
                Map.entry("ZDM_PROXY_TOPOLOGY_NUM_TOKENS", "16"),
                Map.entry("ZDM_ORIGIN_LOCAL_DATACENTER", "dc2"),
                Map.entry("ZDM_CONTROL_CONN_MAX_PROTOCOL_VERSION", "v4"),
                Map.entry("ZDM_METRICS_PREFIX", "ferry"),
                Map.entry("ZDM_METRICS_ENABLED", "false"),
                Map.entry("ZDM_METRICS_TARGET_LATENCY_BUCKETS_MS", "5, 50,500")));
    // then
    assertThat(settings.origin().contactPoints())
        .containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
    assertThat(settings.origin().port()).isEqualTo(9043);
    assertThat(settings.origin().localDatacenter()).isEqualTo("dc2");
    assertThat(settings.target().username()).isEqualTo("cassandra");
    assertThat(settings.target().password()).isEqualTo("secret");
    assertThat(settings.target().toString()).doesNotContain("secret");
    assertThat(settings.primaryCluster()).isEqualTo(ClusterRole.TARGET);
    assertThat(settings.systemQueriesCluster()).isEqualTo(ClusterRole.TARGET);
    assertThat(settings.listenAddress()).isEqualTo("0.0.0.0");
    assertThat(settings.listenPort()).isEqualTo(9042);
    assertThat(settings.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(settings.maxClientConnections()).isEqualTo(10);
    assertThat(settings.maxStreamIds()).isEqualTo(100);
    assertThat(settings.heartbeat().interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(settings.topology().index()).isEqualTo(2);
    assertThat(settings.topology().addresses()).hasSize(3);
    assertThat(settings.topology().numTokens()).isEqualTo(16);
    assertThat(settings.controlConnectionMaxProtocolVersion()).isEqualTo(ProtocolVersion.V4);
    assertThat(settings.metrics().prefix()).isEqualTo("ferry");
    assertThat(settings.metrics().enabled()).isFalse();
    assertThat(settings.metrics().targetBuckets())
        .containsExactly(Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(500));
  }

  @Test
  void should_refuse_latency_buckets_that_do_not_increase_and_a_bad_prefix() {
    assertThatThrownBy(() -> load(Map.of("ZDM_METRICS_ORIGIN_LATENCY_BUCKETS_MS", "10,5")))
        .hasMessageContaining("ferry.metrics.origin-latency-buckets")
        .hasMessageContaining("expected a non-empty list of increasing durations");
    assertThatThrownBy(() -> load(Map.of("ZDM_METRICS_PREFIX", "9zdm")))
        .hasMessageContaining("ferry.metrics.prefix (ZDM_METRICS_PREFIX) = \"9zdm\"");
  }

  @Test
  void should_let_environment_variables_override_the_config_file(@TempDir Path directory)
      throws IOException {
    // given
    Path file = directory.resolve("ferry.conf");
    Files.writeString(
        file,
        "ferry.proxy.listen-port = 9999\nferry.proxy.request-timeout = 3 seconds\n"
            + "ferry.origin.contact-points = [\"a.example\"]\nferry.target.contact-points = [b]\n");
    // when
    Config config =
        ConfigLoader.load(
            file, Map.of("ZDM_PROXY_LISTEN_PORT", "7777"), List.of(ProxyOption.values()));
    ProxySettings settings = ProxySettings.from(config);
    // then
    assertThat(settings.listenPort()).isEqualTo(7777);
    assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.origin().contactPoints()).containsExactly("a.example");
  }

  @Test
  void should_name_the_setting_the_value_and_what_was_expected() {
    assertThatThrownBy(() -> load(Map.of("ZDM_PROXY_MAX_STREAM_IDS", "0")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining(
            "ferry.proxy.max-stream-ids (ZDM_PROXY_MAX_STREAM_IDS) = 0"
                + " (from environment variable ZDM_PROXY_MAX_STREAM_IDS):"
                + " expected an integer in 1..32768");
    assertThatThrownBy(() -> load(Map.of("ZDM_PROXY_LISTEN_PORT", "abc")))
        .hasMessageContaining("ZDM_PROXY_LISTEN_PORT=\"abc\": expected an integer");
    assertThatThrownBy(() -> load(Map.of("ZDM_PRIMARY_CLUSTER", "BOTH")))
        .hasMessageContaining("ferry.proxy.primary-cluster (ZDM_PRIMARY_CLUSTER) = \"BOTH\"")
        .hasMessageContaining("expected one of [ORIGIN, TARGET]");
    assertThatThrownBy(() -> load(Map.of("ZDM_PROXY_REQUEST_TIMEOUT_MS", "ten")))
        .hasMessageContaining("expected an integer number of milliseconds");
    assertThatThrownBy(() -> load(Map.of("ZDM_CONTROL_CONN_MAX_PROTOCOL_VERSION", "2")))
        .hasMessageContaining("expected one of 3, 4, 5, DseV1, DseV2");
  }

  @Test
  void should_report_every_problem_at_once() {
    // when
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                ProxySettings.from(
                    ConfigLoader.load(
                        null,
                        Map.of("ZDM_PROXY_TOPOLOGY_NUM_TOKENS", "0"),
                        List.of(ProxyOption.values()))));
    // then
    assertThat(((InvalidConfigurationException) thrown).problems())
        .hasSize(3)
        .anyMatch(problem -> problem.startsWith("ferry.origin.contact-points"))
        .anyMatch(problem -> problem.startsWith("ferry.target.contact-points"))
        .anyMatch(problem -> problem.contains("expected an integer in 1..256"));
  }

  @Test
  void should_refuse_topology_addresses_that_are_not_ip_addresses_and_an_index_out_of_range() {
    assertThatThrownBy(
            () -> load(Map.of("ZDM_PROXY_TOPOLOGY_ADDRESSES", "10.0.0.1,proxy-2.example")))
        .hasMessageContaining("proxy-2.example is not an IP address");
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "ZDM_PROXY_TOPOLOGY_ADDRESSES", "10.0.0.1,10.0.0.2",
                        "ZDM_PROXY_TOPOLOGY_INDEX", "2")))
        .hasMessageContaining("expected an integer in 0..1");
  }

  @Test
  void should_document_every_setting_with_its_environment_variable() {
    // given
    Config reference = ConfigFactory.defaultReference();
    // then
    for (ProxyOption option : ProxyOption.values()) {
      ConfigValue value = reference.getValue(option.path());
      String comments = String.join("\n", value.origin().comments());
      assertThat(comments).as(option.path()).isNotBlank();
      if (option.environmentVariable() != null) {
        assertThat(comments).as(option.path()).contains(option.environmentVariable());
      }
    }
  }

  @Test
  void should_keep_tls_off_by_default_with_hostname_verification_on() {
    // when
    ProxySettings settings = load(Map.of());
    // then
    assertThat(settings.clientTls().enabled()).isFalse();
    assertThat(settings.clientTls().requireClientAuth()).isFalse();
    assertThat(settings.origin().tls().enabled()).isFalse();
    assertThat(settings.target().tls().enabled()).isFalse();
    assertThat(settings.origin().tls().hostnameVerification()).isTrue();
    assertThat(settings.target().tls().hostnameVerification()).isTrue();
  }

  @Test
  void should_read_tls_files_from_the_zdm_variables(@TempDir Path directory) throws IOException {
    // given
    Path ca = Files.writeString(directory.resolve("ca.pem"), "ca");
    Path cert = Files.writeString(directory.resolve("cert.pem"), "cert");
    Path key = Files.writeString(directory.resolve("key.pem"), "key");
    // when
    ProxySettings settings =
        load(
            Map.ofEntries(
                Map.entry("ZDM_PROXY_TLS_CA_PATH", ca.toString()),
                Map.entry("ZDM_PROXY_TLS_CERT_PATH", cert.toString()),
                Map.entry("ZDM_PROXY_TLS_KEY_PATH", key.toString()),
                Map.entry("ZDM_PROXY_TLS_REQUIRE_CLIENT_AUTH", "true"),
                Map.entry("ZDM_ORIGIN_TLS_SERVER_CA_PATH", ca.toString()),
                Map.entry("ZDM_TARGET_TLS_SERVER_CA_PATH", ca.toString()),
                Map.entry("ZDM_TARGET_TLS_CLIENT_CERT_PATH", cert.toString()),
                Map.entry("ZDM_TARGET_TLS_CLIENT_KEY_PATH", key.toString()),
                Map.entry("FERRY_TARGET_TLS_HOSTNAME_VERIFICATION", "false")));
    // then
    assertThat(settings.clientTls())
        .isEqualTo(new ProxySettings.ClientTlsSettings(ca, cert, key, true));
    assertThat(settings.origin().tls())
        .isEqualTo(new ClusterSettings.TlsSettings(ca, null, null, true));
    assertThat(settings.origin().tls().mutual()).isFalse();
    assertThat(settings.target().tls())
        .isEqualTo(new ClusterSettings.TlsSettings(ca, cert, key, false));
    assertThat(settings.target().tls().mutual()).isTrue();
    assertThat(settings.target().toString()).contains("tls=mutual without hostname verification");
  }

  @Test
  void should_refuse_client_facing_tls_without_its_three_files(@TempDir Path directory)
      throws IOException {
    // given
    Path cert = Files.writeString(directory.resolve("cert.pem"), "cert");
    // when
    Throwable thrown =
        catchThrowable(() -> load(Map.of("ZDM_PROXY_TLS_CERT_PATH", cert.toString())));
    // then
    assertThat(((InvalidConfigurationException) thrown).problems())
        .containsExactly(
            "ferry.proxy.tls.ca-path (ZDM_PROXY_TLS_CA_PATH) = \"\" (default): expected a PEM file"
                + " too: client-facing TLS needs a CA, a certificate and a key together, and"
                + " [ZDM_PROXY_TLS_CERT_PATH] is set",
            "ferry.proxy.tls.key-path (ZDM_PROXY_TLS_KEY_PATH) = \"\" (default): expected a PEM"
                + " file too: client-facing TLS needs a CA, a certificate and a key together, and"
                + " [ZDM_PROXY_TLS_CERT_PATH] is set");
  }

  @Test
  void should_refuse_a_client_certificate_without_its_key_or_without_a_ca(@TempDir Path directory)
      throws IOException {
    // given
    Path cert = Files.writeString(directory.resolve("cert.pem"), "cert");
    // when
    Throwable thrown =
        catchThrowable(() -> load(Map.of("ZDM_ORIGIN_TLS_CLIENT_CERT_PATH", cert.toString())));
    // then
    assertThat(((InvalidConfigurationException) thrown).problems())
        .hasSize(2)
        .anySatisfy(
            problem ->
                assertThat(problem)
                    .startsWith("ferry.origin.tls.server-ca-path (ZDM_ORIGIN_TLS_SERVER_CA_PATH)")
                    .contains("expected the PEM file of the CA that signed the origin nodes'"))
        .anySatisfy(
            problem ->
                assertThat(problem)
                    .startsWith("ferry.origin.tls.client-key-path (ZDM_ORIGIN_TLS_CLIENT_KEY_PATH)")
                    .contains("a client certificate needs its key"));
  }

  @Test
  void should_name_the_setting_and_the_path_of_a_missing_or_unreadable_file(
      @TempDir Path directory) {
    // given
    Path missing = directory.resolve("missing-ca.pem");
    // when
    Throwable thrown =
        catchThrowable(
            () ->
                load(
                    Map.of(
                        "ZDM_TARGET_TLS_SERVER_CA_PATH",
                        missing.toString(),
                        "ZDM_ORIGIN_TLS_SERVER_CA_PATH",
                        directory.toString())));
    // then
    assertThat(((InvalidConfigurationException) thrown).problems())
        .containsExactlyInAnyOrder(
            "ferry.target.tls.server-ca-path (ZDM_TARGET_TLS_SERVER_CA_PATH) = \""
                + missing
                + "\" (from environment variable ZDM_TARGET_TLS_SERVER_CA_PATH): expected a"
                + " readable PEM file of CA certificates, but it does not exist",
            "ferry.origin.tls.server-ca-path (ZDM_ORIGIN_TLS_SERVER_CA_PATH) = \""
                + directory
                + "\" (from environment variable ZDM_ORIGIN_TLS_SERVER_CA_PATH): expected a"
                + " readable PEM file of CA certificates, but it is a directory");
  }

  @Test
  void should_read_the_timeouts_against_stalling_clients_in_milliseconds_from_the_environment() {
    // when
    ProxySettings settings =
        load(
            Map.of(
                "FERRY_HANDSHAKE_TIMEOUT_MS", "2500", "FERRY_INCOMPLETE_FRAME_TIMEOUT_MS", "750"));
    // then
    assertThat(settings.handshakeTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(settings.incompleteFrameTimeout()).isEqualTo(Duration.ofMillis(750));
  }

  @Test
  void should_refuse_a_max_frame_length_above_the_protocol_limit(@TempDir Path directory)
      throws IOException {
    // given
    Path file = directory.resolve("ferry.conf");
    Files.writeString(file, "ferry.proxy.max-frame-length = 257 MiB\n");
    // when
    Throwable refused =
        catchThrowable(
            () ->
                ProxySettings.from(
                    ConfigLoader.load(file, REQUIRED, List.of(ProxyOption.values()))));
    // then
    assertThat(refused).hasMessageContaining("ferry.proxy.max-frame-length");
  }
}
