package io.ferry.admin;

import io.ferry.proxy.config.ConfigOption;
import io.ferry.proxy.config.EnvironmentValue;

/**
 * The admin API's and the metrics server's settings, documented in the admin API's {@code
 * reference.conf}.
 */
public enum AdminOption implements ConfigOption {
  ADMIN_ADDRESS("ferry.admin.address", "FERRY_ADMIN_ADDRESS", EnvironmentValue.TEXT),
  ADMIN_PORT("ferry.admin.port", "FERRY_ADMIN_PORT", EnvironmentValue.INTEGER),
  ADMIN_TOKEN("ferry.admin.token", "FERRY_ADMIN_TOKEN", EnvironmentValue.TEXT),
  HOST_NAMES("ferry.admin.host-names", null, null),
  OPERATION_WAIT("ferry.admin.operation-wait", null, null),
  REQUEST_THREADS("ferry.admin.request-threads", null, null),
  OPERATION_THREADS("ferry.admin.operation-threads", null, null),
  NODE_READY_TIMEOUT("ferry.admin.node-ready-timeout", null, null),
  NODE_STOP_TIMEOUT("ferry.admin.node-stop-timeout", null, null),
  LEASE_TTL("ferry.admin.lease-ttl", null, null),
  REQUEST_HISTORY_TTL("ferry.admin.request-history-ttl", null, null),
  NODE_START_COMMAND(
      "ferry.admin.node-start-command", "FERRY_NODE_START_COMMAND", EnvironmentValue.TEXT),
  NODE_STOP_COMMAND(
      "ferry.admin.node-stop-command", "FERRY_NODE_STOP_COMMAND", EnvironmentValue.TEXT),
  ORIGIN_JMX_PORT("ferry.admin.origin.jmx-port", null, null),
  ORIGIN_JMX_USERNAME(
      "ferry.admin.origin.jmx-username", "FERRY_ORIGIN_JMX_USERNAME", EnvironmentValue.TEXT),
  ORIGIN_JMX_PASSWORD(
      "ferry.admin.origin.jmx-password", "FERRY_ORIGIN_JMX_PASSWORD", EnvironmentValue.TEXT),
  ORIGIN_NODE_START_COMMAND("ferry.admin.origin.node-start-command", null, null),
  ORIGIN_NODE_STOP_COMMAND("ferry.admin.origin.node-stop-command", null, null),
  TARGET_JMX_PORT("ferry.admin.target.jmx-port", null, null),
  TARGET_JMX_USERNAME(
      "ferry.admin.target.jmx-username", "FERRY_TARGET_JMX_USERNAME", EnvironmentValue.TEXT),
  TARGET_JMX_PASSWORD(
      "ferry.admin.target.jmx-password", "FERRY_TARGET_JMX_PASSWORD", EnvironmentValue.TEXT),
  TARGET_NODE_START_COMMAND("ferry.admin.target.node-start-command", null, null),
  TARGET_NODE_STOP_COMMAND("ferry.admin.target.node-stop-command", null, null),
  REPAIR_SEGMENTS_PER_NODE("ferry.admin.repair.segments-per-node", null, null),
  REPAIR_SEGMENT_TIMEOUT("ferry.admin.repair.segment-timeout", null, null),
  REPAIR_MAX_ATTEMPTS("ferry.admin.repair.max-attempts", null, null),
  REPAIR_MAX_PENDING_COMPACTIONS("ferry.admin.repair.max-pending-compactions", null, null),
  REPAIR_TARGET_PERCENTAGE("ferry.admin.repair.target-percentage", null, null),
  REPAIR_IGNORE_KEYSPACES("ferry.admin.repair.ignore-keyspaces", null, null),
  REPAIR_CLUSTER_STABILIZATION_PERIOD(
      "ferry.admin.repair.cluster-stabilization-period", null, null),
  REPAIR_ERROR_LOGGING_WINDOW("ferry.admin.repair.error-logging-window", null, null),
  NODESYNC_MAX_REQUEST_TABLES("ferry.admin.nodesync.max-request-tables", null, null),
  NODESYNC_SEGMENT_TARGET_SIZE("ferry.admin.nodesync.segment-target-size", null, null),
  NODESYNC_MIN_VALIDATION_INTERVAL("ferry.admin.nodesync.min-validation-interval", null, null),
  NODESYNC_RATE("ferry.admin.nodesync.rate", null, null),
  NODESYNC_SEGMENT_TIMEOUT("ferry.admin.nodesync.segment-timeout", null, null),
  METRICS_ADDRESS("ferry.metrics.address", "ZDM_METRICS_ADDRESS", EnvironmentValue.TEXT),
  METRICS_PORT("ferry.metrics.port", "ZDM_METRICS_PORT", EnvironmentValue.INTEGER);

  private final Definition definition;

  AdminOption(String path, String environmentVariable, EnvironmentValue environmentValue) {
    this.definition = new Definition(path, environmentVariable, environmentValue);
  }

  @Override
  public Definition definition() {
    return definition;
  }
}
