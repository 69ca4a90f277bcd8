package io.ferry.proxy.metrics;

/**
 * Every metric name Ferry exports, without the configurable prefix ({@code ZDM_METRICS_PREFIX},
 * {@code zdm} by default). They are the ZDM Proxy's names, suffixes included (some gauges end in
 * {@code _total}), so that its Grafana dashboards and alerts keep working; Ferry's own additions
 * are marked.
 */
public final class MetricNames {

  // Proxy level.
  public static final String PROXY_REQUEST_DURATION = "proxy_request_duration_seconds";
  public static final String PROXY_INFLIGHT_REQUESTS = "proxy_inflight_requests_total";
  public static final String PROXY_FAILED_CONNECTIONS = "proxy_failed_connections_total";
  public static final String PROXY_FAILED_READS = "proxy_failed_reads_total";
  public static final String PROXY_FAILED_WRITES = "proxy_failed_writes_total";
  public static final String PSCACHE_ENTRIES = "pscache_entries_total";
  public static final String PSCACHE_MISSES = "pscache_miss_total";
  public static final String CLIENT_CONNECTIONS = "client_connections_total";

  // Node level, each prefixed by the connector: origin_, target_ (async_ with dual reads).
  public static final String NODE_REQUEST_DURATION = "request_duration_seconds";
  public static final String NODE_REQUESTS_FAILED = "requests_failed_total";
  public static final String NODE_CONNECTIONS = "connections_total";
  public static final String NODE_FAILED_CONNECTIONS = "failed_connections_total";
  public static final String NODE_USED_STREAM_IDS = "used_stream_ids_total";

  /** Ferry's own: stream ids of timed-out requests still reserved (see max-orphaned-stream-ids). */
  public static final String NODE_ORPHANED_STREAM_IDS = "orphaned_stream_ids";

  /** Mirrored reads waiting for the secondary (async connector only). */
  public static final String NODE_INFLIGHT_REQUESTS = "inflight_requests_total";

  /** The connector of mirrored reads: {@code zdm_async_*}. */
  public static final String ASYNC_CONNECTOR = "async";

  // Ferry's own dual-read results.
  public static final String DUAL_READS_DROPPED = "dual_reads_dropped_total";
  public static final String DUAL_READS_COMPARED = "dual_reads_compared_total";
  public static final String DUAL_READ_DIVERGENCES = "dual_read_divergences_total";

  // Labels.
  public static final String TYPE = "type";
  public static final String CLUSTER = "cluster";
  public static final String FAILED_ON = "failed_on";
  public static final String NODE = "node";
  public static final String ERROR = "error";
  public static final String REASON = "reason";
  public static final String OUTCOME = "outcome";
  public static final String TABLE = "table";

  private MetricNames() {}
}
