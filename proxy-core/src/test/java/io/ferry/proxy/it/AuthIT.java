package io.ferry.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.internal.core.auth.PlainTextAuthProvider;
import io.ferry.cassandra.CassandraNode;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The authentication matrix against real nodes with {@code PasswordAuthenticator}: which cluster
 * gets the client's credentials and which gets Ferry's, for every combination of clusters requiring
 * authentication, and an AUTHENTICATION_ERROR that names the cluster that refused.
 */
@WithCassandraClusters
class AuthIT {

  private static final String AUTH_ORIGIN = "127.0.0.51";
  private static final String AUTH_TARGET = "127.0.0.52";
  private static final String NO_AUTH_ORIGIN = CassandraClusters.ORIGIN_ADDRESS;
  private static final String NO_AUTH_TARGET = CassandraClusters.TARGET_ADDRESS;

  // Ferry's own credentials, one role per cluster; the application's role exists on both clusters
  // with a different password on each, so that a test can tell which cluster checked it.
  private static final String FERRY_ORIGIN_PASSWORD = "ferry-origin-secret-1";
  private static final String FERRY_TARGET_PASSWORD = "ferry-target-secret-2";
  private static final String APP_ORIGIN_PASSWORD = "app-origin-secret-3";
  private static final String APP_TARGET_PASSWORD = "app-target-secret-4";

  // Values only ever sent as bound values, in every kind of request that carries some.
  private static final String BOUND_IN_PREPARED = "bound-secret-in-execute-5";
  private static final String BOUND_IN_SIMPLE = "bound-secret-in-query-6";
  private static final String BOUND_IN_BATCH = "bound-secret-in-batch-7";

  private static LogLines logs;

  @BeforeAll
  static void start_nodes_with_password_authentication(CassandraClusters clusters) {
    CompletableFuture<CassandraNode> origin =
        CompletableFuture.supplyAsync(() -> clusters.startNode(authNode(clusters, AUTH_ORIGIN)));
    CompletableFuture<CassandraNode> target =
        CompletableFuture.supplyAsync(() -> clusters.startNode(authNode(clusters, AUTH_TARGET)));
    origin.join();
    target.join();
    createRoles(AUTH_ORIGIN, "ferry_origin", FERRY_ORIGIN_PASSWORD, APP_ORIGIN_PASSWORD);
    createRoles(AUTH_TARGET, "ferry_target", FERRY_TARGET_PASSWORD, APP_TARGET_PASSWORD);
    for (String node : List.of(AUTH_ORIGIN, AUTH_TARGET, NO_AUTH_ORIGIN, NO_AUTH_TARGET)) {
      try (CqlSession session = direct(node, "cassandra", "cassandra")) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS auth WITH replication ="
                + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute("CREATE TABLE IF NOT EXISTS auth.t (k uuid PRIMARY KEY, v text)");
      }
    }
    logs = LogLines.of("io.ferry", Level.DEBUG);
  }

  @AfterAll
  static void stop_capturing_logs() {
    if (logs != null) { // null when the nodes did not start
      logs.close();
    }
  }

  private static io.ferry.cassandra.NodeSpec authNode(CassandraClusters clusters, String address) {
    return clusters
        .nodeSpec(address, "auth-" + address)
        .yaml("authenticator", "PasswordAuthenticator")
        .build();
  }

  private static void createRoles(
      String node, String ferryRole, String ferryPassword, String appPassword) {
    // The default superuser appears shortly after the node accepts connections.
    await()
        .atMost(Duration.ofMinutes(1))
        .ignoreExceptions()
        .until(
            () -> {
              try (CqlSession session = direct(node, "cassandra", "cassandra")) {
                return true;
              }
            });
    try (CqlSession session = direct(node, "cassandra", "cassandra")) {
      session.execute(
          "CREATE ROLE IF NOT EXISTS "
              + ferryRole
              + " WITH PASSWORD = '"
              + ferryPassword
              + "' AND LOGIN = true AND SUPERUSER = true");
      session.execute(
          "CREATE ROLE IF NOT EXISTS app WITH PASSWORD = '"
              + appPassword
              + "' AND LOGIN = true AND SUPERUSER = true");
    }
  }

  @Test
  void should_send_the_client_credentials_to_target_and_ferry_credentials_to_origin_by_default() {
    try (RunningProxy ferry = ferry(AUTH_ORIGIN, AUTH_TARGET, false)) {
      // the application's target password opens the session: its credentials went to target
      try (CqlSession session = client(ferry, APP_TARGET_PASSWORD)) {
        assertWriteReachesBothClusters(session, AUTH_ORIGIN, AUTH_TARGET);
      }
      // its origin password is refused, by target, and the error says so
      assertRefusedBy(ferry, APP_ORIGIN_PASSWORD, "target " + AUTH_TARGET + ":9042");
    }
  }

  @Test
  void should_send_the_client_credentials_to_origin_when_forwarded_to_origin() {
    try (RunningProxy ferry = ferry(AUTH_ORIGIN, AUTH_TARGET, true)) {
      try (CqlSession session = client(ferry, APP_ORIGIN_PASSWORD)) {
        assertWriteReachesBothClusters(session, AUTH_ORIGIN, AUTH_TARGET);
      }
      assertRefusedBy(ferry, APP_TARGET_PASSWORD, "origin " + AUTH_ORIGIN + ":9042");
    }
  }

  @Test
  void should_send_the_client_credentials_to_origin_when_only_origin_requires_authentication() {
    for (boolean forward : List.of(false, true)) {
      try (RunningProxy ferry = ferry(AUTH_ORIGIN, NO_AUTH_TARGET, forward)) {
        try (CqlSession session = client(ferry, APP_ORIGIN_PASSWORD)) {
          assertWriteReachesBothClusters(session, AUTH_ORIGIN, NO_AUTH_TARGET);
        }
        assertRefusedBy(ferry, APP_TARGET_PASSWORD, "origin " + AUTH_ORIGIN + ":9042");
      }
    }
  }

  @Test
  void should_send_the_client_credentials_to_target_when_only_target_requires_authentication() {
    for (boolean forward : List.of(false, true)) {
      try (RunningProxy ferry = ferry(NO_AUTH_ORIGIN, AUTH_TARGET, forward)) {
        try (CqlSession session = client(ferry, APP_TARGET_PASSWORD)) {
          assertWriteReachesBothClusters(session, NO_AUTH_ORIGIN, AUTH_TARGET);
        }
        assertRefusedBy(ferry, APP_ORIGIN_PASSWORD, "target " + AUTH_TARGET + ":9042");
      }
    }
  }

  @Test
  void should_accept_clients_with_or_without_credentials_when_no_cluster_requires_them() {
    try (RunningProxy ferry = ferry(NO_AUTH_ORIGIN, NO_AUTH_TARGET, false)) {
      try (CqlSession session = ferry.session()) {
        assertWriteReachesBothClusters(session, NO_AUTH_ORIGIN, NO_AUTH_TARGET);
      }
      try (CqlSession session = client(ferry, APP_TARGET_PASSWORD)) {
        assertWriteReachesBothClusters(session, NO_AUTH_ORIGIN, NO_AUTH_TARGET);
      }
    }
  }

  @Test
  void should_name_the_cluster_that_refused_ferry_configured_credentials() {
    try (RunningProxy ferry = ferry(AUTH_ORIGIN, AUTH_TARGET, false)) {
      // when origin no longer accepts Ferry's password (changed after Ferry started)
      alterPassword(AUTH_ORIGIN, "ferry_origin", "changed-behind-ferry");
      try {
        // then a client with valid target credentials is refused, and told Ferry's origin
        // credentials are the problem
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(refusal(ferry, APP_TARGET_PASSWORD))
                        .contains("origin " + AUTH_ORIGIN + ":9042")
                        .contains("refused Ferry's configured credentials")
                        .contains("ZDM_ORIGIN_USERNAME=ferry_origin"));
      } finally {
        alterPassword(AUTH_ORIGIN, "ferry_origin", FERRY_ORIGIN_PASSWORD);
      }
    }
  }

  @Test
  void should_authenticate_mirrored_reads_on_the_secondary() {
    for (String primary : List.of("ORIGIN", "TARGET")) {
      Map<String, String> env = new HashMap<>(environment(AUTH_ORIGIN, AUTH_TARGET, false));
      env.put("ZDM_READ_MODE", "DUAL_ASYNC_ON_SECONDARY");
      env.put("ZDM_PRIMARY_CLUSTER", primary);
      try (RunningProxy ferry = RunningProxy.start(env);
          CqlSession session = client(ferry, APP_TARGET_PASSWORD)) {
        UUID key = UUID.randomUUID();
        session.execute("INSERT INTO auth.t (k, v) VALUES (" + key + ", 'mirrored')");
        // the secondary answers the mirrored reads: its connection authenticated (target with the
        // client's replayed credentials, origin with Ferry's)
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  session.execute("SELECT v FROM auth.t WHERE k = " + key);
                  assertThat(ferry.counter("zdm_dual_reads_compared_total", "outcome", "match"))
                      .as("mirrored reads compared with primary %s", primary)
                      .isPositive();
                });
      }
    }
  }

  @Test
  void should_never_log_passwords_or_bound_values() {
    // runs after or before the others: whatever was logged so far, by every test of this class,
    // with Ferry's loggers at DEBUG
    try (RunningProxy ferry = ferry(AUTH_ORIGIN, AUTH_TARGET, false)) {
      try (CqlSession session = client(ferry, APP_TARGET_PASSWORD)) {
        writeAndReadBoundValues(session);
      }
      assertRefusedBy(ferry, APP_ORIGIN_PASSWORD, "target");
    }
    List<String> secrets =
        List.of(
            FERRY_ORIGIN_PASSWORD,
            FERRY_TARGET_PASSWORD,
            APP_ORIGIN_PASSWORD,
            APP_TARGET_PASSWORD,
            BOUND_IN_PREPARED,
            BOUND_IN_SIMPLE,
            BOUND_IN_BATCH);
    List<String> operatorLines = logs.linesAtOrAbove(Level.INFO);
    List<String> allLines = logs.linesAtOrAbove(Level.DEBUG);
    assertThat(operatorLines).isNotEmpty();
    assertThat(allLines).hasSizeGreaterThan(operatorLines.size());
    for (String secret : secrets) {
      assertThat(operatorLines).as("INFO and above").noneMatch(line -> line.contains(secret));
      assertThat(allLines).as("DEBUG and above").noneMatch(line -> line.contains(secret));
    }
  }

  private static void writeAndReadBoundValues(CqlSession session) {
    PreparedStatement insert = session.prepare("INSERT INTO auth.t (k, v) VALUES (?, ?)");
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    session.execute(insert.bind(first, BOUND_IN_PREPARED));
    session.execute(
        SimpleStatement.newInstance(
            "INSERT INTO auth.t (k, v) VALUES (?, ?)", second, BOUND_IN_SIMPLE));
    session.execute(
        BatchStatement.newInstance(
            DefaultBatchType.LOGGED,
            insert.bind(UUID.randomUUID(), BOUND_IN_BATCH),
            SimpleStatement.newInstance(
                "UPDATE auth.t SET v = ? WHERE k = ?", BOUND_IN_BATCH, UUID.randomUUID())));
    // read back through Ferry: the values travel in results too
    assertThat(
            session
                .execute(SimpleStatement.newInstance("SELECT v FROM auth.t WHERE k = ?", second))
                .one()
                .getString("v"))
        .isEqualTo(BOUND_IN_SIMPLE);
    assertThat(
            session
                .execute(session.prepare("SELECT v FROM auth.t WHERE k = ?").bind(first))
                .one()
                .getString("v"))
        .isEqualTo(BOUND_IN_PREPARED);
  }

  // ---------------------------------------------------------------------------------------------

  private static Map<String, String> environment(String origin, String target, boolean forward) {
    return Map.of(
        "ZDM_ORIGIN_CONTACT_POINTS", origin,
        "ZDM_TARGET_CONTACT_POINTS", target,
        "ZDM_ORIGIN_USERNAME", "ferry_origin",
        "ZDM_ORIGIN_PASSWORD", FERRY_ORIGIN_PASSWORD,
        "ZDM_TARGET_USERNAME", "ferry_target",
        "ZDM_TARGET_PASSWORD", FERRY_TARGET_PASSWORD,
        "ZDM_FORWARD_CLIENT_CREDENTIALS_TO_ORIGIN", Boolean.toString(forward));
  }

  private static RunningProxy ferry(String origin, String target, boolean forward) {
    return RunningProxy.start(environment(origin, target, forward));
  }

  private static CqlSession client(RunningProxy ferry, String password) {
    return RunningProxy.connect(
        ferry.address(), config -> withCredentials(config, "app", password));
  }

  private static CqlSession direct(String node, String user, String password) {
    return RunningProxy.connect(
        new InetSocketAddress(node, 9042), config -> withCredentials(config, user, password));
  }

  private static com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder
      withCredentials(
          com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder config,
          String user,
          String password) {
    return config
        .withClass(DefaultDriverOption.AUTH_PROVIDER_CLASS, PlainTextAuthProvider.class)
        .withString(DefaultDriverOption.AUTH_PROVIDER_USER_NAME, user)
        .withString(DefaultDriverOption.AUTH_PROVIDER_PASSWORD, password);
  }

  private static void alterPassword(String node, String role, String password) {
    try (CqlSession session = direct(node, "cassandra", "cassandra")) {
      session.execute("ALTER ROLE " + role + " WITH PASSWORD = '" + password + "'");
    }
  }

  private static void assertWriteReachesBothClusters(
      CqlSession session, String origin, String target) {
    UUID key = UUID.randomUUID();
    session.execute("INSERT INTO auth.t (k, v) VALUES (" + key + ", 'through ferry')");
    for (String node : List.of(origin, target)) {
      try (CqlSession direct = direct(node, "cassandra", "cassandra")) {
        assertThat(direct.execute("SELECT v FROM auth.t WHERE k = " + key).one())
            .as("the write on %s", node)
            .isNotNull();
      }
    }
  }

  private static void assertRefusedBy(RunningProxy ferry, String password, String cluster) {
    assertThat(refusal(ferry, password)).contains(cluster).contains("refused");
  }

  /** The message of the authentication error a client with {@code password} gets. */
  private static String refusal(RunningProxy ferry, String password) {
    Throwable failure = catchThrowable(() -> client(ferry, password).close());
    assertThat(failure).isInstanceOf(AllNodesFailedException.class);
    Throwable cause =
        ((AllNodesFailedException) failure)
            .getAllErrors().values().stream()
                .flatMap(List::stream)
                .filter(AuthenticationException.class::isInstance)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no authentication error in", failure));
    return cause.getMessage();
  }
}
