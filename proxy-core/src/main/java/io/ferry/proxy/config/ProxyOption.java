package io.ferry.proxy.config;

import static io.ferry.proxy.config.EnvironmentValue.BOOLEAN;
import static io.ferry.proxy.config.EnvironmentValue.COMMA_SEPARATED_LIST;
import static io.ferry.proxy.config.EnvironmentValue.DECIMAL;
import static io.ferry.proxy.config.EnvironmentValue.INTEGER;
import static io.ferry.proxy.config.EnvironmentValue.MILLISECONDS;
import static io.ferry.proxy.config.EnvironmentValue.TEXT;

/**
 * The proxy's settings. Each constant names a path of {@code reference.conf} (where the setting is
 * documented, with its default) and, where the ZDM Proxy has one, the {@code ZDM_*} environment
 * variable that sets it with the same meaning.
 */
public enum ProxyOption implements ConfigOption {
  ORIGIN_CONTACT_POINTS(
      "ferry.origin.contact-points", "ZDM_ORIGIN_CONTACT_POINTS", COMMA_SEPARATED_LIST),
  ORIGIN_PORT("ferry.origin.port", "ZDM_ORIGIN_PORT", INTEGER),
  ORIGIN_USERNAME("ferry.origin.username", "ZDM_ORIGIN_USERNAME", TEXT),
  ORIGIN_PASSWORD("ferry.origin.password", "ZDM_ORIGIN_PASSWORD", TEXT),
  ORIGIN_LOCAL_DATACENTER("ferry.origin.local-datacenter", "ZDM_ORIGIN_LOCAL_DATACENTER", TEXT),
  ORIGIN_CONNECTION_TIMEOUT(
      "ferry.origin.connection-timeout", "ZDM_ORIGIN_CONNECTION_TIMEOUT_MS", MILLISECONDS),
  ORIGIN_ENABLE_HOST_ASSIGNMENT(
      "ferry.origin.enable-host-assignment", "ZDM_ORIGIN_ENABLE_HOST_ASSIGNMENT", BOOLEAN),
  ORIGIN_TLS_SERVER_CA_PATH(
      "ferry.origin.tls.server-ca-path", "ZDM_ORIGIN_TLS_SERVER_CA_PATH", TEXT),
  ORIGIN_TLS_CLIENT_CERT_PATH(
      "ferry.origin.tls.client-cert-path", "ZDM_ORIGIN_TLS_CLIENT_CERT_PATH", TEXT),
  ORIGIN_TLS_CLIENT_KEY_PATH(
      "ferry.origin.tls.client-key-path", "ZDM_ORIGIN_TLS_CLIENT_KEY_PATH", TEXT),
  ORIGIN_TLS_HOSTNAME_VERIFICATION(
      "ferry.origin.tls.hostname-verification", "FERRY_ORIGIN_TLS_HOSTNAME_VERIFICATION", BOOLEAN),

  TARGET_CONTACT_POINTS(
      "ferry.target.contact-points", "ZDM_TARGET_CONTACT_POINTS", COMMA_SEPARATED_LIST),
  TARGET_PORT("ferry.target.port", "ZDM_TARGET_PORT", INTEGER),
  TARGET_USERNAME("ferry.target.username", "ZDM_TARGET_USERNAME", TEXT),
  TARGET_PASSWORD("ferry.target.password", "ZDM_TARGET_PASSWORD", TEXT),
  TARGET_LOCAL_DATACENTER("ferry.target.local-datacenter", "ZDM_TARGET_LOCAL_DATACENTER", TEXT),
  TARGET_CONNECTION_TIMEOUT(
      "ferry.target.connection-timeout", "ZDM_TARGET_CONNECTION_TIMEOUT_MS", MILLISECONDS),
  TARGET_ENABLE_HOST_ASSIGNMENT(
      "ferry.target.enable-host-assignment", "ZDM_TARGET_ENABLE_HOST_ASSIGNMENT", BOOLEAN),
  TARGET_TLS_SERVER_CA_PATH(
      "ferry.target.tls.server-ca-path", "ZDM_TARGET_TLS_SERVER_CA_PATH", TEXT),
  TARGET_TLS_CLIENT_CERT_PATH(
      "ferry.target.tls.client-cert-path", "ZDM_TARGET_TLS_CLIENT_CERT_PATH", TEXT),
  TARGET_TLS_CLIENT_KEY_PATH(
      "ferry.target.tls.client-key-path", "ZDM_TARGET_TLS_CLIENT_KEY_PATH", TEXT),
  TARGET_TLS_HOSTNAME_VERIFICATION(
      "ferry.target.tls.hostname-verification", "FERRY_TARGET_TLS_HOSTNAME_VERIFICATION", BOOLEAN),

  LISTEN_ADDRESS("ferry.proxy.listen-address", "ZDM_PROXY_LISTEN_ADDRESS", TEXT),
  LISTEN_PORT("ferry.proxy.listen-port", "ZDM_PROXY_LISTEN_PORT", INTEGER),
  PROXY_TLS_CA_PATH("ferry.proxy.tls.ca-path", "ZDM_PROXY_TLS_CA_PATH", TEXT),
  PROXY_TLS_CERT_PATH("ferry.proxy.tls.cert-path", "ZDM_PROXY_TLS_CERT_PATH", TEXT),
  PROXY_TLS_KEY_PATH("ferry.proxy.tls.key-path", "ZDM_PROXY_TLS_KEY_PATH", TEXT),
  PROXY_TLS_REQUIRE_CLIENT_AUTH(
      "ferry.proxy.tls.require-client-auth", "ZDM_PROXY_TLS_REQUIRE_CLIENT_AUTH", BOOLEAN),
  PRIMARY_CLUSTER("ferry.proxy.primary-cluster", "ZDM_PRIMARY_CLUSTER", TEXT),
  READ_MODE("ferry.proxy.read-mode", "ZDM_READ_MODE", TEXT),
  ASYNC_HANDSHAKE_TIMEOUT(
      "ferry.proxy.async-handshake-timeout", "ZDM_ASYNC_HANDSHAKE_TIMEOUT_MS", MILLISECONDS),
  COMPARE_DUAL_READS("ferry.proxy.dual-reads.compare", "FERRY_COMPARE_DUAL_READS", BOOLEAN),
  DUAL_READS_MAX_COMPARED_SIZE("ferry.proxy.dual-reads.max-compared-size", null, TEXT),
  DIVERGENCE_LOG_INTERVAL("ferry.proxy.dual-reads.divergence-log-interval", null, MILLISECONDS),
  SYSTEM_QUERIES_MODE("ferry.proxy.system-queries-mode", "ZDM_SYSTEM_QUERIES_MODE", TEXT),
  REQUEST_TIMEOUT("ferry.proxy.request-timeout", "ZDM_PROXY_REQUEST_TIMEOUT_MS", MILLISECONDS),
  MAX_CLIENT_CONNECTIONS(
      "ferry.proxy.max-client-connections", "ZDM_PROXY_MAX_CLIENT_CONNECTIONS", INTEGER),
  MAX_STREAM_IDS("ferry.proxy.max-stream-ids", "ZDM_PROXY_MAX_STREAM_IDS", INTEGER),
  MAX_ORPHANED_STREAM_IDS("ferry.proxy.max-orphaned-stream-ids", null, INTEGER),
  MAX_FRAME_LENGTH("ferry.proxy.max-frame-length", null, TEXT),
  HANDSHAKE_TIMEOUT("ferry.proxy.handshake-timeout", "FERRY_HANDSHAKE_TIMEOUT_MS", MILLISECONDS),
  INCOMPLETE_FRAME_TIMEOUT(
      "ferry.proxy.incomplete-frame-timeout", "FERRY_INCOMPLETE_FRAME_TIMEOUT_MS", MILLISECONDS),
  PREPARED_STATEMENT_CACHE_SIZE("ferry.proxy.prepared-statement-cache-size", null, INTEGER),
  SHUTDOWN_TIMEOUT("ferry.proxy.shutdown-timeout", null, MILLISECONDS),
  REPLACE_CQL_FUNCTIONS("ferry.proxy.replace-cql-functions", "ZDM_REPLACE_CQL_FUNCTIONS", BOOLEAN),
  ASSIGN_WRITE_TIMESTAMPS(
      "ferry.proxy.assign-write-timestamps", "FERRY_ASSIGN_WRITE_TIMESTAMPS", BOOLEAN),
  FORWARD_CLIENT_CREDENTIALS_TO_ORIGIN(
      "ferry.proxy.forward-client-credentials-to-origin",
      "ZDM_FORWARD_CLIENT_CREDENTIALS_TO_ORIGIN",
      BOOLEAN),
  PROTOCOL_V5("ferry.proxy.protocol.v5", "FERRY_PROTOCOL_V5", TEXT),
  BLOCKED_PROTOCOL_VERSIONS(
      "ferry.proxy.protocol.blocked-versions",
      "ZDM_BLOCKED_PROTOCOL_VERSIONS",
      COMMA_SEPARATED_LIST),
  CONTROL_CONNECTION_MAX_PROTOCOL_VERSION(
      "ferry.proxy.control-connection.max-protocol-version",
      "ZDM_CONTROL_CONN_MAX_PROTOCOL_VERSION",
      TEXT),
  HEARTBEAT_INTERVAL("ferry.proxy.heartbeat.interval", "ZDM_HEARTBEAT_INTERVAL_MS", MILLISECONDS),
  HEARTBEAT_RETRY_INTERVAL_MIN(
      "ferry.proxy.heartbeat.retry-interval-min",
      "ZDM_HEARTBEAT_RETRY_INTERVAL_MIN_MS",
      MILLISECONDS),
  HEARTBEAT_RETRY_INTERVAL_MAX(
      "ferry.proxy.heartbeat.retry-interval-max",
      "ZDM_HEARTBEAT_RETRY_INTERVAL_MAX_MS",
      MILLISECONDS),
  HEARTBEAT_RETRY_BACKOFF_FACTOR(
      "ferry.proxy.heartbeat.retry-backoff-factor", "ZDM_HEARTBEAT_RETRY_BACKOFF_FACTOR", DECIMAL),
  HEARTBEAT_FAILURE_THRESHOLD(
      "ferry.proxy.heartbeat.failure-threshold", "ZDM_HEARTBEAT_FAILURE_THRESHOLD", INTEGER),
  TOPOLOGY_INDEX("ferry.proxy.topology.index", "ZDM_PROXY_TOPOLOGY_INDEX", INTEGER),
  TOPOLOGY_ADDRESSES(
      "ferry.proxy.topology.addresses", "ZDM_PROXY_TOPOLOGY_ADDRESSES", COMMA_SEPARATED_LIST),
  TOPOLOGY_NUM_TOKENS("ferry.proxy.topology.num-tokens", "ZDM_PROXY_TOPOLOGY_NUM_TOKENS", INTEGER),

  METRICS_ENABLED("ferry.metrics.enabled", "ZDM_METRICS_ENABLED", BOOLEAN),
  METRICS_PREFIX("ferry.metrics.prefix", "ZDM_METRICS_PREFIX", TEXT),
  METRICS_ORIGIN_LATENCY_BUCKETS(
      "ferry.metrics.origin-latency-buckets",
      "ZDM_METRICS_ORIGIN_LATENCY_BUCKETS_MS",
      COMMA_SEPARATED_LIST),
  METRICS_TARGET_LATENCY_BUCKETS(
      "ferry.metrics.target-latency-buckets",
      "ZDM_METRICS_TARGET_LATENCY_BUCKETS_MS",
      COMMA_SEPARATED_LIST),
  METRICS_ASYNC_READ_LATENCY_BUCKETS(
      "ferry.metrics.async-read-latency-buckets",
      "ZDM_METRICS_ASYNC_READ_LATENCY_BUCKETS_MS",
      COMMA_SEPARATED_LIST);

  private final Definition definition;

  ProxyOption(String path, String environmentVariable, EnvironmentValue environmentValue) {
    this.definition = new Definition(path, environmentVariable, environmentValue);
  }

  @Override
  public Definition definition() {
    return definition;
  }
}
