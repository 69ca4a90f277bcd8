package io.ferry.proxy.metrics;

import io.ferry.proxy.common.ClusterRole;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The proxy's meters, with the ZDM Proxy's names and labels. Every meter is resolved when this
 * object (or a node's {@link NodeMetrics}) is created; recording is an increment or a histogram
 * update, with no tag lookup and no allocation.
 *
 * <p>Thread-safe.
 */
public final class ProxyMetrics {

  /** Which failed on a request sent to both clusters: the {@code failed_on} label. */
  public enum FailedOn {
    ORIGIN,
    TARGET,
    BOTH
  }

  private final MeterRegistry registry;
  private final String prefix;
  private final Map<ClusterRole, List<Duration>> buckets;
  private final List<Duration> asyncBuckets;
  private final Map<RequestType, Timer> requestDurations = new EnumMap<>(RequestType.class);
  private final Map<RequestType, LongAdder> inFlight = new EnumMap<>(RequestType.class);
  private final Map<ClusterRole, Counter> failedReads = new EnumMap<>(ClusterRole.class);
  private final Map<ClusterRole, Counter> failedConnections = new EnumMap<>(ClusterRole.class);
  private final Map<FailedOn, Counter> failedWrites = new EnumMap<>(FailedOn.class);
  private final Counter preparedCacheMisses;
  private final Map<String, NodeMetrics> nodes = new ConcurrentHashMap<>();
  private final Map<DroppedRead, Counter> droppedReads = new EnumMap<>(DroppedRead.class);
  private final Map<Comparison, Counter> comparisons = new EnumMap<>(Comparison.class);
  private final Map<String, Counter> divergences = new ConcurrentHashMap<>();

  /** Why a read was not mirrored: the {@code reason} label of dual_reads_dropped_total. */
  public enum DroppedRead {
    /** The connection to the secondary is not (yet, or any more) usable. */
    NO_CONNECTION,
    /** Every stream id of that connection is in use. */
    NO_STREAM_ID,
    /** The connection's write buffer is full: the secondary is not keeping up. */
    BACKPRESSURE,
    /** The mirrored connection is switching keyspaces (USE) and cannot run it yet. */
    KEYSPACE_PENDING
  }

  /**
   * What came of comparing a mirrored read: the {@code outcome} label of dual_reads_compared_total.
   */
  public enum Comparison {
    MATCH,
    DIVERGENT,
    /** Not comparable: an error on either side, a result too large, or not rows. */
    SKIPPED
  }

  /**
   * @param originBuckets histogram buckets of origin's and the proxy's writes and origin reads
   * @param targetBuckets histogram buckets of target's and the proxy's target reads
   */
  public ProxyMetrics(
      MeterRegistry registry,
      String prefix,
      List<Duration> originBuckets,
      List<Duration> targetBuckets,
      List<Duration> asyncBuckets,
      Supplier<Number> preparedCacheSize,
      Supplier<Number> clientConnections) {
    this.registry = registry;
    this.prefix = prefix;
    this.buckets = Map.of(ClusterRole.ORIGIN, originBuckets, ClusterRole.TARGET, targetBuckets);
    this.asyncBuckets = asyncBuckets;
    String base = prefix + "_";
    for (RequestType type : RequestType.values()) {
      List<Duration> typeBuckets = type == RequestType.READS_TARGET ? targetBuckets : originBuckets;
      requestDurations.put(
          type,
          Timer.builder(base + MetricNames.PROXY_REQUEST_DURATION)
              .tag(MetricNames.TYPE, type.label())
              .serviceLevelObjectives(typeBuckets.toArray(Duration[]::new))
              .register(registry));
      LongAdder count = new LongAdder();
      inFlight.put(type, count);
      Gauge.builder(base + MetricNames.PROXY_INFLIGHT_REQUESTS, count, LongAdder::sum)
          .tag(MetricNames.TYPE, type.label())
          .strongReference(true)
          .register(registry);
    }
    for (ClusterRole cluster : ClusterRole.values()) {
      failedReads.put(
          cluster,
          counter(base + MetricNames.PROXY_FAILED_READS, MetricNames.CLUSTER, cluster.id()));
      failedConnections.put(
          cluster,
          counter(base + MetricNames.PROXY_FAILED_CONNECTIONS, MetricNames.CLUSTER, cluster.id()));
    }
    for (FailedOn failedOn : FailedOn.values()) {
      failedWrites.put(
          failedOn,
          counter(
              base + MetricNames.PROXY_FAILED_WRITES,
              MetricNames.FAILED_ON,
              failedOn.name().toLowerCase(java.util.Locale.ROOT)));
    }
    preparedCacheMisses = Counter.builder(base + MetricNames.PSCACHE_MISSES).register(registry);
    for (DroppedRead reason : DroppedRead.values()) {
      droppedReads.put(
          reason,
          counter(base + MetricNames.DUAL_READS_DROPPED, MetricNames.REASON, label(reason)));
    }
    for (Comparison outcome : Comparison.values()) {
      comparisons.put(
          outcome,
          counter(base + MetricNames.DUAL_READS_COMPARED, MetricNames.OUTCOME, label(outcome)));
    }
    Gauge.builder(
            base + MetricNames.PSCACHE_ENTRIES, preparedCacheSize, size -> size.get().doubleValue())
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            base + MetricNames.CLIENT_CONNECTIONS,
            clientConnections,
            count -> count.get().doubleValue())
        .strongReference(true)
        .register(registry);
  }

  /** Meters that record nothing, for {@code ZDM_METRICS_ENABLED=false} and tests. */
  public static ProxyMetrics disabled() {
    return new ProxyMetrics(
        new CompositeMeterRegistry(), "zdm", List.of(), List.of(), List.of(), () -> 0, () -> 0);
  }

  private static String label(Enum<?> value) {
    return value.name().toLowerCase(java.util.Locale.ROOT);
  }

  private Counter counter(String name, String tag, String value) {
    return Counter.builder(name).tag(tag, value).register(registry);
  }

  /** The meters of a node reached through a connector, created on first use. */
  public NodeMetrics node(ClusterRole connector, String node) {
    return nodes.computeIfAbsent(
        connector.id() + "|" + node,
        key -> new NodeMetrics(registry, prefix, connector.id(), node, buckets.get(connector)));
  }

  /** The meters of a node reached by mirrored reads ({@code zdm_async_*}). */
  public NodeMetrics asyncNode(String node) {
    return nodes.computeIfAbsent(
        MetricNames.ASYNC_CONNECTOR + "|" + node,
        key -> new NodeMetrics(registry, prefix, MetricNames.ASYNC_CONNECTOR, node, asyncBuckets));
  }

  public void readNotMirrored(DroppedRead reason) {
    droppedReads.get(reason).increment();
  }

  public void mirroredReadCompared(Comparison outcome) {
    comparisons.get(outcome).increment();
  }

  /** A divergence found on a table ({@code keyspace.table}). */
  public void divergence(String table) {
    divergences
        .computeIfAbsent(
            table,
            name ->
                Counter.builder(prefix + "_" + MetricNames.DUAL_READ_DIVERGENCES)
                    .tag(MetricNames.TABLE, name)
                    .register(registry))
        .increment();
  }

  public void recordRequest(RequestType type, long nanos) {
    requestDurations.get(type).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void requestStarted(RequestType type) {
    inFlight.get(type).increment();
  }

  public void requestEnded(RequestType type) {
    inFlight.get(type).decrement();
  }

  public void readFailed(ClusterRole cluster) {
    failedReads.get(cluster).increment();
  }

  public void writeFailed(FailedOn failedOn) {
    failedWrites.get(failedOn).increment();
  }

  /** A client connection could not be given a connection to {@code cluster}. */
  public void connectionFailed(ClusterRole cluster) {
    failedConnections.get(cluster).increment();
  }

  public void preparedCacheMiss() {
    preparedCacheMisses.increment();
  }
}
