package io.ferry.proxy.config;

import static io.ferry.proxy.config.ProxyOption.*;

import com.typesafe.config.Config;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.ReadMode;
import io.ferry.proxy.frame.ProtocolVersion;
import io.netty.util.NetUtil;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The proxy's validated settings, read once at start-up from the configuration (see {@code
 * reference.conf} for what each means).
 */
public record ProxySettings(
    ClusterSettings origin,
    ClusterSettings target,
    String listenAddress,
    int listenPort,
    ClientTlsSettings clientTls,
    ClusterRole primaryCluster,
    ReadMode readMode,
    DualReadSettings dualReads,
    ClusterRole systemQueriesCluster,
    Duration requestTimeout,
    int maxClientConnections,
    int maxStreamIds,
    int maxOrphanedStreamIds,
    int maxFrameLength,
    Duration handshakeTimeout,
    Duration incompleteFrameTimeout,
    int preparedStatementCacheSize,
    Duration shutdownTimeout,
    boolean replaceCqlFunctions,
    boolean assignWriteTimestamps,
    ProtocolVersion controlConnectionMaxProtocolVersion,
    boolean forwardClientCredentialsToOrigin,
    ProtocolSettings protocol,
    HeartbeatSettings heartbeat,
    TopologySettings topology,
    MetricsSettings metrics) {

  /** The most stream ids a v3+ connection can have in flight (stream ids are signed shorts). */
  public static final int PROTOCOL_MAX_STREAM_IDS = 32768;

  /**
   * The largest frame body the protocol allows (256 MB, says the v4 specification): what Ferry
   * accepts from a cluster, and the most {@code max-frame-length} can let clients send.
   */
  public static final int PROTOCOL_MAX_FRAME_LENGTH = 256 * 1024 * 1024;

  /**
   * TLS between clients and Ferry: off ({@code caPath} null), or on with Ferry's certificate and
   * key, and the CA that client certificates must be signed by when they are required. Paths of PEM
   * files.
   */
  public record ClientTlsSettings(
      Path caPath, Path certPath, Path keyPath, boolean requireClientAuth) {

    /** Whether clients connect to Ferry with TLS. */
    public boolean enabled() {
      return caPath != null;
    }
  }

  /** Heartbeats and reconnection of cluster connections. */
  public record HeartbeatSettings(
      Duration interval,
      Duration retryIntervalMin,
      Duration retryIntervalMax,
      double retryBackoffFactor,
      int failureThreshold) {}

  /**
   * Which protocol versions clients may use, on top of what Ferry and both clusters speak.
   *
   * @param v5 whether v5 is spoken natively or clients are made to downgrade to v4
   * @param blockedVersions versions refused whatever the clusters speak
   */
  public record ProtocolSettings(V5Mode v5, Set<ProtocolVersion> blockedVersions) {
    public ProtocolSettings {
      blockedVersions = Set.copyOf(blockedVersions);
    }

    /** No version blocked, v5 native. */
    public static ProtocolSettings defaults() {
      return new ProtocolSettings(V5Mode.NATIVE, Set.of());
    }

    /** Whether Ferry's settings let clients use {@code version}. */
    public boolean allows(ProtocolVersion version) {
      return !blockedVersions.contains(version)
          && !(version == ProtocolVersion.V5 && v5 == V5Mode.DOWNGRADE);
    }
  }

  /** What Ferry does with clients asking for protocol v5. */
  public enum V5Mode {
    /** v5 with modern framing, when both clusters speak it. */
    NATIVE,
    /** A protocol error that makes drivers retry with v4. */
    DOWNGRADE
  }

  /** Topology virtualization: the Ferry instances drivers see as the cluster's nodes. */
  public record TopologySettings(int index, List<String> addresses, int numTokens) {
    public TopologySettings {
      addresses = List.copyOf(addresses);
    }
  }

  /** Mirrored reads and the comparison of their results. */
  public record DualReadSettings(
      Duration handshakeTimeout,
      boolean compare,
      int maxComparedSize,
      Duration divergenceLogInterval) {}

  /** What the proxy records for Prometheus. */
  public record MetricsSettings(
      boolean enabled,
      String prefix,
      List<Duration> originBuckets,
      List<Duration> targetBuckets,
      List<Duration> asyncBuckets) {
    public MetricsSettings {
      originBuckets = List.copyOf(originBuckets);
      targetBuckets = List.copyOf(targetBuckets);
      asyncBuckets = List.copyOf(asyncBuckets);
    }
  }

  public ClusterSettings cluster(ClusterRole role) {
    return role == ClusterRole.ORIGIN ? origin : target;
  }

  /**
   * Reads and validates the settings.
   *
   * @throws InvalidConfigurationException listing every invalid value
   */
  public static ProxySettings from(Config config) {
    SettingsReader reader = new SettingsReader(config);
    ClusterSettings origin =
        cluster(
            reader,
            ClusterRole.ORIGIN,
            ORIGIN_CONTACT_POINTS,
            ORIGIN_PORT,
            ORIGIN_USERNAME,
            ORIGIN_PASSWORD,
            ORIGIN_LOCAL_DATACENTER,
            ORIGIN_CONNECTION_TIMEOUT,
            ORIGIN_ENABLE_HOST_ASSIGNMENT,
            clusterTls(
                reader,
                ClusterRole.ORIGIN,
                ORIGIN_TLS_SERVER_CA_PATH,
                ORIGIN_TLS_CLIENT_CERT_PATH,
                ORIGIN_TLS_CLIENT_KEY_PATH,
                ORIGIN_TLS_HOSTNAME_VERIFICATION));
    ClusterSettings target =
        cluster(
            reader,
            ClusterRole.TARGET,
            TARGET_CONTACT_POINTS,
            TARGET_PORT,
            TARGET_USERNAME,
            TARGET_PASSWORD,
            TARGET_LOCAL_DATACENTER,
            TARGET_CONNECTION_TIMEOUT,
            TARGET_ENABLE_HOST_ASSIGNMENT,
            clusterTls(
                reader,
                ClusterRole.TARGET,
                TARGET_TLS_SERVER_CA_PATH,
                TARGET_TLS_CLIENT_CERT_PATH,
                TARGET_TLS_CLIENT_KEY_PATH,
                TARGET_TLS_HOSTNAME_VERIFICATION));

    String listenAddress = reader.text(LISTEN_ADDRESS);
    if (listenAddress.isBlank()) {
      reader.problem(LISTEN_ADDRESS, "expected a host name or IP address");
    }
    int listenPort = reader.integer(LISTEN_PORT, 0, 65535);
    ClientTlsSettings clientTls = clientTls(reader);
    ClusterRole primary = reader.choice(PRIMARY_CLUSTER, ClusterRole.class, ClusterRole.ORIGIN);
    ClusterRole systemQueries =
        reader.choice(SYSTEM_QUERIES_MODE, ClusterRole.class, ClusterRole.ORIGIN);
    ReadMode readMode = reader.choice(READ_MODE, ReadMode.class, ReadMode.PRIMARY_ONLY);
    DualReadSettings dualReads =
        new DualReadSettings(
            reader.duration(ASYNC_HANDSHAKE_TIMEOUT, Duration.ofMillis(1)),
            reader.bool(COMPARE_DUAL_READS),
            (int) reader.bytes(DUAL_READS_MAX_COMPARED_SIZE, 0, PROTOCOL_MAX_FRAME_LENGTH),
            reader.duration(DIVERGENCE_LOG_INTERVAL, Duration.ZERO));
    Duration requestTimeout = reader.duration(REQUEST_TIMEOUT, Duration.ofMillis(1));
    int maxClients = reader.integer(MAX_CLIENT_CONNECTIONS, 1, Integer.MAX_VALUE);
    int maxStreamIds = reader.integer(MAX_STREAM_IDS, 1, PROTOCOL_MAX_STREAM_IDS);
    int maxOrphans = reader.integer(MAX_ORPHANED_STREAM_IDS, 1, PROTOCOL_MAX_STREAM_IDS);
    int maxFrameLength = (int) reader.bytes(MAX_FRAME_LENGTH, 1024, PROTOCOL_MAX_FRAME_LENGTH);
    Duration handshakeTimeout = reader.duration(HANDSHAKE_TIMEOUT, Duration.ofMillis(1));
    Duration incompleteFrameTimeout =
        reader.duration(INCOMPLETE_FRAME_TIMEOUT, Duration.ofMillis(1));
    int preparedCacheSize = reader.integer(PREPARED_STATEMENT_CACHE_SIZE, 1, Integer.MAX_VALUE);
    Duration shutdownTimeout = reader.duration(SHUTDOWN_TIMEOUT, Duration.ZERO);
    ProtocolVersion controlVersion =
        reader.parsed(
            CONTROL_CONNECTION_MAX_PROTOCOL_VERSION,
            ProtocolVersion::parse,
            "one of 3, 4, 5, DseV1, DseV2",
            ProtocolVersion.DSE_V2);
    V5Mode v5 = reader.choice(PROTOCOL_V5, V5Mode.class, V5Mode.NATIVE);
    Set<ProtocolVersion> blocked = EnumSet.noneOf(ProtocolVersion.class);
    for (String token : reader.list(BLOCKED_PROTOCOL_VERSIONS)) {
      String normalized = token.trim().toLowerCase(Locale.ROOT);
      if (normalized.equals("2") || normalized.equals("v2")) {
        continue; // v2 is never accepted; the ZDM Proxy lets it be listed
      }
      try {
        blocked.add(ProtocolVersion.parse(token));
      } catch (IllegalArgumentException e) {
        reader.problem(
            BLOCKED_PROTOCOL_VERSIONS,
            "expected versions among 2, 3, 4, 5, DseV1, DseV2, but " + token + " is none");
      }
    }

    HeartbeatSettings heartbeat =
        new HeartbeatSettings(
            reader.duration(HEARTBEAT_INTERVAL, Duration.ofMillis(1)),
            reader.duration(HEARTBEAT_RETRY_INTERVAL_MIN, Duration.ofMillis(1)),
            reader.duration(HEARTBEAT_RETRY_INTERVAL_MAX, Duration.ofMillis(1)),
            reader.decimal(HEARTBEAT_RETRY_BACKOFF_FACTOR, 1.0),
            reader.integer(HEARTBEAT_FAILURE_THRESHOLD, 1, Integer.MAX_VALUE));
    if (heartbeat.retryIntervalMax().compareTo(heartbeat.retryIntervalMin()) < 0) {
      reader.problem(
          HEARTBEAT_RETRY_INTERVAL_MAX,
          "expected at least heartbeat.retry-interval-min (" + heartbeat.retryIntervalMin() + ")");
    }

    List<String> addresses = reader.list(TOPOLOGY_ADDRESSES);
    for (String address : addresses) {
      if (!NetUtil.isValidIpV4Address(address) && !NetUtil.isValidIpV6Address(address)) {
        reader.problem(
            TOPOLOGY_ADDRESSES, "expected IP addresses, but " + address + " is not an IP address");
      }
    }
    int index = reader.integer(TOPOLOGY_INDEX, 0, Math.max(0, addresses.size() - 1));
    int numTokens = reader.integer(TOPOLOGY_NUM_TOKENS, 1, 256);

    String prefix = reader.text(METRICS_PREFIX);
    if (!prefix.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
      reader.problem(
          METRICS_PREFIX, "expected letters, digits and underscores, not starting with a digit");
    }
    MetricsSettings metrics =
        new MetricsSettings(
            reader.bool(METRICS_ENABLED),
            prefix,
            reader.increasingDurations(METRICS_ORIGIN_LATENCY_BUCKETS),
            reader.increasingDurations(METRICS_TARGET_LATENCY_BUCKETS),
            reader.increasingDurations(METRICS_ASYNC_READ_LATENCY_BUCKETS));

    reader.throwIfInvalid();
    return new ProxySettings(
        origin,
        target,
        listenAddress,
        listenPort,
        clientTls,
        primary,
        readMode,
        dualReads,
        systemQueries,
        requestTimeout,
        maxClients,
        maxStreamIds,
        maxOrphans,
        maxFrameLength,
        handshakeTimeout,
        incompleteFrameTimeout,
        preparedCacheSize,
        shutdownTimeout,
        reader.bool(REPLACE_CQL_FUNCTIONS),
        reader.bool(ASSIGN_WRITE_TIMESTAMPS),
        controlVersion,
        reader.bool(FORWARD_CLIENT_CREDENTIALS_TO_ORIGIN),
        new ProtocolSettings(v5, blocked),
        heartbeat,
        new TopologySettings(index, addresses, numTokens),
        metrics);
  }

  private static ClusterSettings cluster(
      SettingsReader reader,
      ClusterRole role,
      ProxyOption contactPoints,
      ProxyOption port,
      ProxyOption username,
      ProxyOption password,
      ProxyOption localDatacenter,
      ProxyOption connectionTimeout,
      ProxyOption enableHostAssignment,
      ClusterSettings.TlsSettings tls) {
    List<String> points = reader.list(contactPoints);
    if (points.isEmpty()) {
      reader.problem(
          contactPoints, "expected at least one host name or IP address of a node of " + role.id());
    }
    return new ClusterSettings(
        role,
        points,
        reader.integer(port, 1, 65535),
        reader.text(username),
        reader.text(password),
        reader.text(localDatacenter),
        reader.duration(connectionTimeout, Duration.ofMillis(1)),
        reader.bool(enableHostAssignment),
        tls);
  }

  /** The ZDM Proxy's rule: CA, certificate and key together, or none of them. */
  private static ClientTlsSettings clientTls(SettingsReader reader) {
    List<ProxyOption> files = List.of(PROXY_TLS_CA_PATH, PROXY_TLS_CERT_PATH, PROXY_TLS_KEY_PATH);
    List<ProxyOption> set = files.stream().filter(option -> isSet(reader, option)).toList();
    if (!set.isEmpty() && set.size() < files.size()) {
      for (ProxyOption missing : files) {
        if (!set.contains(missing)) {
          reader.problem(
              missing,
              "expected a PEM file too: client-facing TLS needs a CA, a certificate and a key"
                  + " together, and "
                  + set.stream().map(ProxyOption::environmentVariable).toList()
                  + " is set");
        }
      }
    }
    return new ClientTlsSettings(
        reader.file(PROXY_TLS_CA_PATH, "PEM file of CA certificates"),
        reader.file(PROXY_TLS_CERT_PATH, "PEM certificate file"),
        reader.file(PROXY_TLS_KEY_PATH, "PEM private key file"),
        reader.bool(PROXY_TLS_REQUIRE_CLIENT_AUTH));
  }

  /** The ZDM Proxy's rule: the CA alone (one-way TLS), or CA, certificate and key (mutual TLS). */
  private static ClusterSettings.TlsSettings clusterTls(
      SettingsReader reader,
      ClusterRole role,
      ProxyOption serverCa,
      ProxyOption clientCert,
      ProxyOption clientKey,
      ProxyOption hostnameVerification) {
    boolean caSet = isSet(reader, serverCa);
    boolean certSet = isSet(reader, clientCert);
    boolean keySet = isSet(reader, clientKey);
    if (!caSet && (certSet || keySet)) {
      reader.problem(
          serverCa,
          "expected the PEM file of the CA that signed the "
              + role.id()
              + " nodes' certificates: TLS to "
              + role.id()
              + " is the CA alone (one-way) or the CA, a client certificate and its key (mutual)");
    }
    if (certSet && !keySet) {
      reader.problem(
          clientKey,
          "expected the PEM file of the private key of "
              + clientCert.environmentVariable()
              + "'s certificate: a client certificate needs its key");
    }
    if (keySet && !certSet) {
      reader.problem(
          clientCert,
          "expected the PEM file of the client certificate whose key "
              + clientKey.environmentVariable()
              + " names");
    }
    return new ClusterSettings.TlsSettings(
        reader.file(serverCa, "PEM file of CA certificates"),
        reader.file(clientCert, "PEM certificate file"),
        reader.file(clientKey, "PEM private key file"),
        reader.bool(hostnameVerification));
  }

  private static boolean isSet(SettingsReader reader, ProxyOption option) {
    return !reader.text(option).isBlank();
  }
}
