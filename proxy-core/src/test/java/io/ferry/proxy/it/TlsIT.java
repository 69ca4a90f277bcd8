package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import com.datastax.oss.driver.api.core.ssl.SslEngineFactory;
import io.ferry.cassandra.CassandraNode;
import io.ferry.cassandra.NodeSpec;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.client.ClientPipeline;
import io.ferry.proxy.cluster.ControlConnection;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import io.ferry.testing.tls.TestCertificates;
import io.ferry.testing.tls.TestCertificates.Authority;
import io.ferry.testing.tls.TestCertificates.Identity;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both sides of Ferry with real Cassandra nodes that require it: drivers to Ferry (one-way
 * and mutual), Ferry to origin (one-way) and to target (mutual: the node requires client
 * certificates), hostname verification, and the refusals an operator must be able to read.
 */
@WithCassandraClusters(sharedNodes = false)
class TlsIT {

  /** Origin: client encryption, no client certificates. */
  private static final String ORIGIN = "127.0.0.41";

  /** Target: client encryption with require_client_auth. */
  private static final String TARGET = "127.0.0.42";

  /** A TCP relay to origin: an address that origin's certificate does not name. */
  private static final String RELAY_TO_ORIGIN = "127.0.0.43";

  private static final int PORT = NodeSpec.DEFAULT_NATIVE_PORT;

  @TempDir static Path certificatesDirectory;
  private static Authority authority;
  private static Identity ferryListener;
  private static Identity ferryClient;
  private static Identity application;
  private static CassandraNode origin;
  private static CassandraNode target;

  @BeforeAll
  static void startNodesWithClientEncryption(CassandraClusters clusters) {
    authority = TestCertificates.in(certificatesDirectory).authority("ferry-test-ca");
    ferryListener = authority.server("ferry", "127.0.0.1");
    ferryClient = authority.client("ferry-client");
    application = authority.client("application");
    NodeSpec originSpec =
        clusters
            .nodeSpec(ORIGIN, "tls-origin")
            .yaml("client_encryption_options", clientEncryption(ORIGIN, false))
            .build();
    NodeSpec targetSpec =
        clusters
            .nodeSpec(TARGET, "tls-target")
            .yaml("client_encryption_options", clientEncryption(TARGET, true))
            .build();
    // About 30 s each on two cores: start them together.
    CompletableFuture<CassandraNode> startingOrigin =
        CompletableFuture.supplyAsync(() -> clusters.startNode(originSpec));
    CompletableFuture<CassandraNode> startingTarget =
        CompletableFuture.supplyAsync(() -> clusters.startNode(targetSpec));
    origin = startingOrigin.join();
    target = startingTarget.join();
  }

  @AfterAll
  static void stopNodes() {
    if (origin != null) {
      origin.kill();
    }
    if (target != null) {
      target.kill();
    }
  }

  @Test
  void should_carry_writes_and_mirrored_reads_with_tls_on_every_connection() {
    // given Ferry with TLS towards clients, one-way TLS to origin, mutual TLS to target, hostname
    // verification on (the default), and reads mirrored to target
    Map<String, String> environment =
        ferryEnvironment(Map.of("ZDM_READ_MODE", "DUAL_ASYNC_ON_SECONDARY"));
    try (RunningProxy ferry = RunningProxy.start(environment);
        CqlSession session = throughFerry(ferry, null)) {
      // when
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS tls WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS tls.t (k int PRIMARY KEY, v text)");
      session.execute("INSERT INTO tls.t (k, v) VALUES (1, 'over tls')");

      // then the write is on both clusters, read back over TLS straight from each node
      try (CqlSession originSession = direct(ORIGIN, null);
          CqlSession targetSession = direct(TARGET, application)) {
        assertThat(value(originSession, 1)).isEqualTo("over tls");
        assertThat(value(targetSession, 1)).isEqualTo("over tls");
      }
      // and reads through Ferry are served, and mirrored to target over their own TLS connection
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(value(session, 1)).isEqualTo("over tls");
                assertThat(ferry.counter("zdm_dual_reads_compared_total", "outcome", "match"))
                    .isPositive();
              });
    }
  }

  @Test
  void should_require_client_certificates_when_asked_to() {
    // given
    Map<String, String> environment =
        ferryEnvironment(Map.of("ZDM_PROXY_TLS_REQUIRE_CLIENT_AUTH", "true"));
    try (LogLines clientLog = LogLines.of(ClientPipeline.class);
        RunningProxy ferry = RunningProxy.start(environment)) {
      // when a driver presents a certificate signed by the CA
      try (CqlSession session = throughFerry(ferry, application)) {
        // then it is served
        assertThat(session.execute("SELECT release_version FROM system.local").one()).isNotNull();
      }

      // when a driver presents none
      Throwable refused = catchThrowable(() -> throughFerry(ferry, null).close());

      // then it is refused, and Ferry's log says why
      assertThat(refused).isInstanceOf(AllNodesFailedException.class);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(clientLog.lines())
                      .anyMatch(
                          line ->
                              line.contains(
                                      "refused: TLS handshake failed: the client presented no"
                                          + " certificate")
                                  && line.contains("ZDM_PROXY_TLS_REQUIRE_CLIENT_AUTH=true")));
    }
  }

  @Test
  void should_refuse_clients_that_do_not_use_tls() {
    // given
    try (LogLines clientLog = LogLines.of(ClientPipeline.class);
        RunningProxy ferry = RunningProxy.start(ferryEnvironment(Map.of()))) {
      // when
      Throwable refused =
          catchThrowable(() -> RunningProxy.connect(ferry.address(), config -> config).close());

      // then
      assertThat(refused).isInstanceOf(AllNodesFailedException.class);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(clientLog.lines())
                      .anyMatch(
                          line ->
                              line.contains(
                                  "refused: TLS handshake failed: the client did not start a TLS"
                                      + " handshake")));
    }
  }

  @Test
  void should_refuse_a_node_whose_certificate_does_not_name_the_address_ferry_connects_to()
      throws Exception {
    // given origin reached through an address its certificate does not name
    try (DelayingRelay relay = relayToOrigin()) {
      // when
      String failure =
          controlConnectionFailure(
              ferryEnvironment(Map.of("ZDM_ORIGIN_CONTACT_POINTS", RELAY_TO_ORIGIN)));

      // then
      assertThat(failure)
          .contains(
              RELAY_TO_ORIGIN
                  + ":9042: TLS handshake failed: the node's certificate does not match "
                  + RELAY_TO_ORIGIN
                  + ": it is for "
                  + ORIGIN
                  + " (hostname verification; set FERRY_ORIGIN_TLS_HOSTNAME_VERIFICATION=false"
                  + " to turn it off)");
    }
  }

  @Test
  void should_accept_that_node_when_hostname_verification_is_off() {
    // given
    Map<String, String> environment =
        ferryEnvironment(
            Map.of(
                "ZDM_ORIGIN_CONTACT_POINTS",
                RELAY_TO_ORIGIN,
                "FERRY_ORIGIN_TLS_HOSTNAME_VERIFICATION",
                "false"));
    try (DelayingRelay relay = relayToOrigin();
        RunningProxy ferry = RunningProxy.start(environment);
        CqlSession session = throughFerry(ferry, null)) {
      // when
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS tls_relay WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE IF NOT EXISTS tls_relay.t (k int PRIMARY KEY, v text)");
      session.execute("INSERT INTO tls_relay.t (k, v) VALUES (7, 'unverified')");

      // then
      try (CqlSession originSession = direct(ORIGIN, null)) {
        assertThat(
                originSession.execute("SELECT v FROM tls_relay.t WHERE k = 7").one().getString(0))
            .isEqualTo("unverified");
      }
    }
  }

  @Test
  void should_refuse_a_node_signed_by_a_ca_whose_certificate_has_expired() throws Exception {
    // given Ferry with a stale copy of the CA (same name and key, expired)
    Authority expired = authority.expiredCopy();
    // when
    String failure =
        controlConnectionFailure(
            ferryEnvironment(
                Map.of("ZDM_ORIGIN_TLS_SERVER_CA_PATH", expired.certificatePem().toString())));
    // then
    assertThat(failure)
        .contains(
            ORIGIN
                + ":9042: TLS handshake failed: the node's certificate is signed by"
                + " CN=ferry-test-ca, whose certificate in ZDM_ORIGIN_TLS_SERVER_CA_PATH ("
                + expired.certificatePem()
                + ") expired on ");
  }

  @Test
  void should_say_that_a_node_requires_a_client_certificate() throws Exception {
    // given Ferry without a client certificate for target, which requires one
    Map<String, String> environment = ferryEnvironment(Map.of());
    environment.remove("ZDM_TARGET_TLS_CLIENT_CERT_PATH");
    environment.remove("ZDM_TARGET_TLS_CLIENT_KEY_PATH");
    // when
    String failure = controlConnectionFailure(environment);
    // then
    assertThat(failure)
        .contains(TARGET + ":9042: TLS handshake failed: the node requires a client certificate")
        .contains("set ZDM_TARGET_TLS_CLIENT_CERT_PATH and ZDM_TARGET_TLS_CLIENT_KEY_PATH");
  }

  /** Forwards {@value #RELAY_TO_ORIGIN}:9042 to origin, whose certificate names only its own. */
  private static DelayingRelay relayToOrigin() {
    return new DelayingRelay(RELAY_TO_ORIGIN, PORT, new InetSocketAddress(ORIGIN, PORT));
  }

  /** Cassandra's client_encryption_options: TLS only, with the node's own certificate. */
  private static String clientEncryption(String address, boolean requireClientAuth) {
    Identity node = authority.server("node-" + address, address);
    return "{enabled: true, optional: false, store_type: PKCS12,"
        + " keystore: \""
        + node.keystore()
        + "\", keystore_password: \""
        + TestCertificates.STORE_PASSWORD
        + "\", require_client_auth: "
        + requireClientAuth
        + ", truststore: \""
        + authority.truststore()
        + "\", truststore_password: \""
        + TestCertificates.STORE_PASSWORD
        + "\"}";
  }

  /** Ferry in front of the two TLS nodes, with TLS towards clients; {@code overrides} win. */
  private static Map<String, String> ferryEnvironment(Map<String, String> overrides) {
    Map<String, String> environment = new HashMap<>();
    environment.put("ZDM_ORIGIN_CONTACT_POINTS", ORIGIN);
    environment.put("ZDM_TARGET_CONTACT_POINTS", TARGET);
    environment.put("ZDM_ORIGIN_TLS_SERVER_CA_PATH", authority.certificatePem().toString());
    environment.put("ZDM_TARGET_TLS_SERVER_CA_PATH", authority.certificatePem().toString());
    environment.put("ZDM_TARGET_TLS_CLIENT_CERT_PATH", ferryClient.certificatePem().toString());
    environment.put("ZDM_TARGET_TLS_CLIENT_KEY_PATH", ferryClient.privateKeyPem().toString());
    environment.put("ZDM_PROXY_TLS_CA_PATH", authority.certificatePem().toString());
    environment.put("ZDM_PROXY_TLS_CERT_PATH", ferryListener.certificatePem().toString());
    environment.put("ZDM_PROXY_TLS_KEY_PATH", ferryListener.privateKeyPem().toString());
    environment.putAll(overrides);
    return environment;
  }

  /**
   * Starts Ferry without waiting for it (it cannot start: a control connection fails), and returns
   * the first line its control connections log about the failure.
   */
  private static String controlConnectionFailure(Map<String, String> environment)
      throws UnknownHostException {
    Map<String, String> env = new HashMap<>(environment);
    env.put("ZDM_PROXY_LISTEN_ADDRESS", "127.0.0.1");
    env.put("ZDM_PROXY_LISTEN_PORT", Integer.toString(RunningProxy.freePort("127.0.0.1")));
    ProxySettings settings =
        ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values())));
    try (LogLines controlLog = LogLines.of(ControlConnection.class)) {
      Proxy proxy = new Proxy(settings);
      try {
        proxy.start();
        return await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    controlLog.lines().stream()
                        .filter(line -> line.contains("could not connect"))
                        .findFirst()
                        .orElse(null),
                line -> line != null);
      } finally {
        proxy.shutdown();
      }
    }
  }

  /** A driver session through Ferry over TLS, presenting {@code identity} when given. */
  private static CqlSession throughFerry(RunningProxy ferry, Identity identity) {
    return RunningProxy.connect(ferry.address(), config -> config, tls(identity));
  }

  /** A driver session straight to a node over TLS, presenting {@code identity} when given. */
  private static CqlSession direct(String node, Identity identity) {
    return RunningProxy.connect(new InetSocketAddress(node, PORT), config -> config, tls(identity));
  }

  /** The driver's TLS: trusts the test CA and checks host names, without reverse DNS lookups. */
  private static SslEngineFactory tls(Identity identity) {
    return new ProgrammaticSslEngineFactory(authority.clientContext(identity), null, true, false);
  }

  private static String value(CqlSession session, int key) {
    Row row = session.execute("SELECT v FROM tls.t WHERE k = " + key).one();
    return row == null ? null : row.getString("v");
  }
}
