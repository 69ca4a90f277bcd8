package io.ferry.admin.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.prometheus.client.hotspot.StandardExports;

/**
 * The registry behind {@code /metrics}: the proxy's meters (registered by the proxy), JVM metrics
 * (memory, GC, threads, classes), CPU, Netty's pooled (direct) memory, and the process series the
 * ZDM dashboards know ({@code process_resident_memory_bytes}, {@code process_virtual_memory_bytes},
 * {@code process_open_fds}, ...).
 *
 * <p>Micrometer's simpleclient registry is used on purpose: Prometheus client_java 1.x removes
 * {@code _total} from gauge names, and the ZDM contract has gauges named so.
 */
public final class PrometheusMetrics implements AutoCloseable {

  /** The Prometheus text exposition format Ferry serves. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public PrometheusMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
    // process_cpu_seconds_total, process_start_time_seconds, process_open_fds, process_max_fds,
    // process_resident_memory_bytes, process_virtual_memory_bytes: the names the ZDM dashboards
    // use. Micrometer's uptime and file-descriptor binders would export some of them a second time.
    new StandardExports().register(registry.getPrometheusRegistry());
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The current values in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
