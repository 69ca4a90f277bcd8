package io.ferry.admin;

import com.typesafe.config.Config;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.config.SettingsReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * Where Ferry's HTTP servers listen, and how the admin API reaches and operates the clusters'
 * nodes.
 *
 * @param token the bearer token admin calls must present, or empty for none
 * @param hostNames names clients reach the admin API by besides {@code adminAddress}
 */
public record AdminSettings(
    String adminAddress,
    int adminPort,
    String token,
    List<String> hostNames,
    Duration operationWait,
    int requestThreads,
    int operationThreads,
    Duration nodeReadyTimeout,
    Duration nodeStopTimeout,
    Duration leaseTtl,
    Duration requestHistoryTtl,
    NodeAccess origin,
    NodeAccess target,
    RepairSettings repair,
    NodeSyncSettings nodeSync,
    String metricsAddress,
    int metricsPort) {

  /** How the repair service cuts, paces and retries a cycle ({@code ferry.admin.repair}). */
  public record RepairSettings(
      int segmentsPerNode,
      Duration segmentTimeout,
      int maxAttempts,
      int maxPendingCompactions,
      int targetPercentage,
      List<String> ignoreKeyspaces,
      Duration clusterStabilizationPeriod,
      Duration errorLoggingWindow) {}

  /** How the NodeSync validator sizes, paces and bounds its work ({@code ferry.admin.nodesync}). */
  public record NodeSyncSettings(
      int maxRequestTables,
      long segmentTargetBytes,
      Duration minValidationInterval,
      long bytesPerSecond,
      Duration segmentTimeout) {}

  /**
   * How the admin API reaches a cluster's nodes beyond CQL.
   *
   * @param startCommand the command that starts a node's process, {@code {ip}} standing for its
   *     address; empty when none is configured
   */
  public record NodeAccess(
      int jmxPort,
      String jmxUsername,
      String jmxPassword,
      String startCommand,
      String stopCommand) {

    /**
     * Never prints the JMX password, nor the node commands: a command may carry a secret of its own
     * (a password given to ssh or sudo).
     */
    @Override
    public String toString() {
      return "NodeAccess[jmxPort="
          + jmxPort
          + ", jmxUsername="
          + jmxUsername
          + ", jmxPassword="
          + redacted(jmxPassword)
          + ", startCommand="
          + redacted(startCommand)
          + ", stopCommand="
          + redacted(stopCommand)
          + "]";
    }
  }

  /** Never prints the token, nor the JMX passwords and node commands of {@link NodeAccess}. */
  @Override
  public String toString() {
    return "AdminSettings[adminAddress="
        + adminAddress
        + ", adminPort="
        + adminPort
        + ", token="
        + redacted(token)
        + ", hostNames="
        + hostNames
        + ", operationWait="
        + operationWait
        + ", requestThreads="
        + requestThreads
        + ", operationThreads="
        + operationThreads
        + ", nodeReadyTimeout="
        + nodeReadyTimeout
        + ", nodeStopTimeout="
        + nodeStopTimeout
        + ", leaseTtl="
        + leaseTtl
        + ", requestHistoryTtl="
        + requestHistoryTtl
        + ", origin="
        + origin
        + ", target="
        + target
        + ", repair="
        + repair
        + ", nodeSync="
        + nodeSync
        + ", metricsAddress="
        + metricsAddress
        + ", metricsPort="
        + metricsPort
        + "]";
  }

  /** How a secret shows in logs and {@code toString}: whether it is set, never what it is. */
  static String redacted(String secret) {
    return secret.isEmpty() ? "none" : "****";
  }

  public NodeAccess access(ClusterRole role) {
    return role == ClusterRole.ORIGIN ? origin : target;
  }

  /**
   * @throws io.ferry.proxy.config.InvalidConfigurationException listing every invalid value
   */
  public static AdminSettings from(Config config) {
    SettingsReader reader = new SettingsReader(config);
    String startCommand = reader.text(AdminOption.NODE_START_COMMAND);
    String stopCommand = reader.text(AdminOption.NODE_STOP_COMMAND);
    AdminSettings settings =
        new AdminSettings(
            reader.text(AdminOption.ADMIN_ADDRESS),
            reader.integer(AdminOption.ADMIN_PORT, 0, 65535),
            reader.text(AdminOption.ADMIN_TOKEN),
            reader.list(AdminOption.HOST_NAMES),
            reader.duration(AdminOption.OPERATION_WAIT, Duration.ZERO),
            reader.integer(AdminOption.REQUEST_THREADS, 1, 1024),
            reader.integer(AdminOption.OPERATION_THREADS, 1, 1024),
            reader.duration(AdminOption.NODE_READY_TIMEOUT, Duration.ofSeconds(1)),
            reader.duration(AdminOption.NODE_STOP_TIMEOUT, Duration.ofSeconds(1)),
            reader.duration(AdminOption.LEASE_TTL, Duration.ofSeconds(3)),
            reader.duration(AdminOption.REQUEST_HISTORY_TTL, Duration.ofHours(1)),
            new NodeAccess(
                reader.integer(AdminOption.ORIGIN_JMX_PORT, 1, 65535),
                reader.text(AdminOption.ORIGIN_JMX_USERNAME),
                reader.text(AdminOption.ORIGIN_JMX_PASSWORD),
                orDefault(reader.text(AdminOption.ORIGIN_NODE_START_COMMAND), startCommand),
                orDefault(reader.text(AdminOption.ORIGIN_NODE_STOP_COMMAND), stopCommand)),
            new NodeAccess(
                reader.integer(AdminOption.TARGET_JMX_PORT, 1, 65535),
                reader.text(AdminOption.TARGET_JMX_USERNAME),
                reader.text(AdminOption.TARGET_JMX_PASSWORD),
                orDefault(reader.text(AdminOption.TARGET_NODE_START_COMMAND), startCommand),
                orDefault(reader.text(AdminOption.TARGET_NODE_STOP_COMMAND), stopCommand)),
            new RepairSettings(
                reader.integer(AdminOption.REPAIR_SEGMENTS_PER_NODE, 1, 4096),
                reader.duration(AdminOption.REPAIR_SEGMENT_TIMEOUT, Duration.ofSeconds(10)),
                reader.integer(AdminOption.REPAIR_MAX_ATTEMPTS, 1, 100),
                reader.integer(AdminOption.REPAIR_MAX_PENDING_COMPACTIONS, 0, 100_000),
                reader.integer(AdminOption.REPAIR_TARGET_PERCENTAGE, 1, 100),
                reader.list(AdminOption.REPAIR_IGNORE_KEYSPACES),
                reader.duration(AdminOption.REPAIR_CLUSTER_STABILIZATION_PERIOD, Duration.ZERO),
                reader.duration(AdminOption.REPAIR_ERROR_LOGGING_WINDOW, Duration.ofSeconds(1))),
            new NodeSyncSettings(
                reader.integer(AdminOption.NODESYNC_MAX_REQUEST_TABLES, 1, 100_000),
                reader.bytes(AdminOption.NODESYNC_SEGMENT_TARGET_SIZE, 1, Long.MAX_VALUE),
                reader.duration(AdminOption.NODESYNC_MIN_VALIDATION_INTERVAL, Duration.ZERO),
                reader.bytes(AdminOption.NODESYNC_RATE, 1, Long.MAX_VALUE),
                reader.duration(AdminOption.NODESYNC_SEGMENT_TIMEOUT, Duration.ofSeconds(10))),
            reader.text(AdminOption.METRICS_ADDRESS),
            reader.integer(AdminOption.METRICS_PORT, 0, 65535));
    if (settings.token().isBlank() && !isLoopback(settings.adminAddress())) {
      reader.problem(
          AdminOption.ADMIN_TOKEN,
          "expected a token: the admin API listens on "
              + settings.adminAddress()
              + ", which is not a loopback address, and it starts and stops database nodes;"
              + " set FERRY_ADMIN_TOKEN (clients send `Authorization: Bearer <token>`) or bind"
              + " the admin API to localhost");
    }
    reader.throwIfInvalid();
    return settings;
  }

  private static String orDefault(String value, String fallback) {
    return value.isBlank() ? fallback : value;
  }

  private static boolean isLoopback(String address) {
    try {
      for (InetAddress resolved : InetAddress.getAllByName(address)) {
        if (!resolved.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      // Binding will fail with a clearer message.
      return true;
    }
  }
}
