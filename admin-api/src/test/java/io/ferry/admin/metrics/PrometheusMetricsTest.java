package io.ferry.admin.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.ferry.proxy.metrics.RequestType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

  private static final List<Duration> BUCKETS =
      List.of(Duration.ofMillis(1), Duration.ofMillis(10));

  @Test
  void should_export_the_zdm_names_exactly_with_gauges_ending_in_total() {
    // given
    try (PrometheusMetrics metrics = new PrometheusMetrics()) {
      ProxyMetrics proxy =
          new ProxyMetrics(metrics.registry(), "zdm", BUCKETS, BUCKETS, BUCKETS, () -> 3, () -> 2);
      proxy.node(ClusterRole.ORIGIN, "10.0.0.1:9042").streamIdsInUse(5);
      proxy.recordRequest(RequestType.WRITES, Duration.ofMillis(5).toNanos());
      // when
      Map<String, String> types = types(metrics.scrape());
      // then
      assertThat(types)
          .containsEntry("zdm_proxy_request_duration_seconds", "histogram")
          .containsEntry("zdm_proxy_inflight_requests_total", "gauge")
          .containsEntry("zdm_proxy_failed_connections_total", "counter")
          .containsEntry("zdm_proxy_failed_reads_total", "counter")
          .containsEntry("zdm_proxy_failed_writes_total", "counter")
          .containsEntry("zdm_pscache_entries_total", "gauge")
          .containsEntry("zdm_pscache_miss_total", "counter")
          .containsEntry("zdm_client_connections_total", "gauge")
          .containsEntry("zdm_origin_request_duration_seconds", "histogram")
          .containsEntry("zdm_origin_requests_failed_total", "counter")
          .containsEntry("zdm_origin_connections_total", "gauge")
          .containsEntry("zdm_origin_failed_connections_total", "counter")
          .containsEntry("zdm_origin_used_stream_ids_total", "gauge")
          .containsKeys(
              "process_resident_memory_bytes",
              "process_virtual_memory_bytes",
              "process_open_fds",
              "process_cpu_seconds_total",
              "jvm_memory_used_bytes",
              "jvm_gc_memory_allocated_bytes_total",
              "jvm_threads_live_threads",
              "netty_allocator_memory_used");
      assertThat(metrics.scrape())
          .contains("zdm_proxy_request_duration_seconds_bucket{type=\"writes\",le=\"0.01\",} 1.0")
          .contains("zdm_origin_used_stream_ids_total{node=\"10.0.0.1:9042\",} 5.0")
          .contains("zdm_pscache_entries_total 3.0")
          .contains("zdm_client_connections_total 2.0");
    }
  }

  @Test
  void should_export_exactly_the_zdm_metric_families_plus_documented_extras() {
    try (PrometheusMetrics metrics = new PrometheusMetrics()) {
      // given a proxy that has connected to one node of each cluster
      ProxyMetrics proxy =
          new ProxyMetrics(metrics.registry(), "zdm", BUCKETS, BUCKETS, BUCKETS, () -> 0, () -> 0);
      proxy.node(ClusterRole.ORIGIN, "10.0.0.1:9042");
      proxy.node(ClusterRole.TARGET, "10.0.1.1:9042");
      // when
      List<String> families =
          types(metrics.scrape()).keySet().stream()
              .filter(name -> name.startsWith("zdm_"))
              .toList();
      // then: the ZDM Proxy's list (async_* appear with the first mirrored read), plus Micrometer's
      // *_max gauge beside each histogram and Ferry's orphaned stream ids and dual-read counters
      List<String> zdm =
          new java.util.ArrayList<>(
              List.of(
                  "zdm_proxy_request_duration_seconds",
                  "zdm_proxy_inflight_requests_total",
                  "zdm_proxy_failed_connections_total",
                  "zdm_proxy_failed_reads_total",
                  "zdm_proxy_failed_writes_total",
                  "zdm_pscache_entries_total",
                  "zdm_pscache_miss_total",
                  "zdm_client_connections_total"));
      for (String cluster : List.of("origin", "target")) {
        zdm.add("zdm_" + cluster + "_request_duration_seconds");
        zdm.add("zdm_" + cluster + "_requests_failed_total");
        zdm.add("zdm_" + cluster + "_connections_total");
        zdm.add("zdm_" + cluster + "_failed_connections_total");
        zdm.add("zdm_" + cluster + "_used_stream_ids_total");
      }
      List<String> extras =
          List.of(
              "zdm_proxy_request_duration_seconds_max",
              "zdm_origin_request_duration_seconds_max",
              "zdm_target_request_duration_seconds_max",
              "zdm_origin_orphaned_stream_ids",
              "zdm_target_orphaned_stream_ids",
              "zdm_dual_reads_dropped_total",
              "zdm_dual_reads_compared_total");
      List<String> expected = new java.util.ArrayList<>(zdm);
      expected.addAll(extras);
      assertThat(families).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void should_declare_each_metric_family_once() {
    try (PrometheusMetrics metrics = new PrometheusMetrics()) {
      new ProxyMetrics(metrics.registry(), "zdm", BUCKETS, BUCKETS, BUCKETS, () -> 0, () -> 0);
      // when
      List<String> families =
          Arrays.stream(metrics.scrape().split("\n"))
              .filter(line -> line.startsWith("# TYPE "))
              .map(line -> line.split(" ")[2])
              .toList();
      // then: Prometheus refuses a scrape that declares a family twice
      assertThat(families).doesNotHaveDuplicates();
    }
  }

  private static Map<String, String> types(String scrape) {
    return Arrays.stream(scrape.split("\n"))
        .filter(line -> line.startsWith("# TYPE "))
        .map(line -> line.split(" "))
        .collect(
            Collectors.toMap(
                parts -> parts[2], parts -> parts[3], (a, b) -> a, java.util.TreeMap::new));
  }
}
