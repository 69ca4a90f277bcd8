package io.ferry.admin.metrics;

import io.ferry.admin.http.HttpResponse;
import io.ferry.admin.http.Route;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /metrics}, answered as the ZDM Proxy answers it: 503 until the proxy has started, 404
 * when metrics are disabled, else the Prometheus text exposition.
 */
public final class MetricsRoutes {

  static final String NOT_INITIALIZED = "Proxy metrics haven't been initialized yet.";
  static final String DISABLED = "Metrics are disabled on this proxy instance.";

  private MetricsRoutes() {}

  /**
   * @param metrics the registry to expose, or {@code null} when metrics are disabled
   * @param started whether the proxy has started
   */
  public static List<Route> routes(PrometheusMetrics metrics, BooleanSupplier started) {
    return List.of(
        Route.get(
            "/metrics",
            request -> {
              if (metrics == null) {
                return new HttpResponse(404, DISABLED);
              }
              if (!started.getAsBoolean()) {
                return new HttpResponse(503, NOT_INITIALIZED);
              }
              return new HttpResponse(200, metrics.scrape(), PrometheusMetrics.CONTENT_TYPE);
            }));
  }
}
