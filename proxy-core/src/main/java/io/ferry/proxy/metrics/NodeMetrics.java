package io.ferry.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one node as seen through one connector ({@code origin}, {@code target}): shared by
 * every connection to that node, created once, updated without allocation.
 *
 * <p>Thread-safe: connections on every event loop update it.
 */
public final class NodeMetrics {

  private final Timer reads;
  private final Timer writes;
  private final Map<NodeError, Counter> failures = new EnumMap<>(NodeError.class);
  private final Counter failedConnections;
  private final LongAdder connections = new LongAdder();
  private final LongAdder usedStreamIds = new LongAdder();
  private final LongAdder orphanedStreamIds = new LongAdder();
  private final LongAdder inFlight = new LongAdder();

  NodeMetrics(
      MeterRegistry registry,
      String prefix,
      String connector,
      String node,
      List<Duration> buckets) {
    String base = prefix + "_" + connector + "_";
    reads = timer(registry, base, node, "reads", buckets);
    writes = timer(registry, base, node, "writes", buckets);
    for (NodeError error : NodeError.values()) {
      failures.put(
          error,
          Counter.builder(base + MetricNames.NODE_REQUESTS_FAILED)
              .tag(MetricNames.NODE, node)
              .tag(MetricNames.ERROR, error.label())
              .register(registry));
    }
    failedConnections =
        Counter.builder(base + MetricNames.NODE_FAILED_CONNECTIONS)
            .tag(MetricNames.NODE, node)
            .register(registry);
    gauge(registry, base + MetricNames.NODE_CONNECTIONS, node, connections);
    gauge(registry, base + MetricNames.NODE_USED_STREAM_IDS, node, usedStreamIds);
    gauge(registry, base + MetricNames.NODE_ORPHANED_STREAM_IDS, node, orphanedStreamIds);
    if (connector.equals(MetricNames.ASYNC_CONNECTOR)) {
      gauge(registry, base + MetricNames.NODE_INFLIGHT_REQUESTS, node, inFlight);
    }
  }

  /**
   * Meters recorded nowhere, for connections the ZDM metrics do not count (Ferry's control
   * connections).
   */
  public static NodeMetrics detached() {
    return DETACHED;
  }

  // One for every such connection: nothing reads them, so there is no need for one per connection.
  private static final NodeMetrics DETACHED =
      new NodeMetrics(
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
          "detached",
          "control",
          "-",
          List.of());

  private static Timer timer(
      MeterRegistry registry, String base, String node, String type, List<Duration> buckets) {
    return Timer.builder(base + MetricNames.NODE_REQUEST_DURATION)
        .tag(MetricNames.NODE, node)
        .tag(MetricNames.TYPE, type)
        .serviceLevelObjectives(buckets.toArray(Duration[]::new))
        .register(registry);
  }

  private static void gauge(MeterRegistry registry, String name, String node, LongAdder value) {
    Gauge.builder(name, value, LongAdder::sum)
        .tag(MetricNames.NODE, node)
        .strongReference(true)
        .register(registry);
  }

  /** A request answered by this node; {@code write} when it was sent to both clusters. */
  public void recordRequest(boolean write, long nanos) {
    (write ? writes : reads).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void recordFailure(NodeError error) {
    failures.get(error).increment();
  }

  public void connectionOpened() {
    connections.increment();
  }

  public void connectionClosed() {
    connections.decrement();
  }

  public void connectionFailed() {
    failedConnections.increment();
  }

  public void streamIdsInUse(int delta) {
    usedStreamIds.add(delta);
  }

  /** Mirrored reads waiting for the secondary (meaningful for the async connector only). */
  public void inFlight(int delta) {
    inFlight.add(delta);
  }

  public void orphans(int delta) {
    orphanedStreamIds.add(delta);
  }
}
