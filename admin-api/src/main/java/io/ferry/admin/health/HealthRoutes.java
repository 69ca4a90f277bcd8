package io.ferry.admin.health;

import io.ferry.admin.http.HttpResponse;
import io.ferry.admin.http.Route;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.cluster.ControlConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /health/liveness} (always 200 {@code OK} while the process serves HTTP) and {@code GET
 * /health/readiness}: 200 with status UP when both control connections are healthy, else 503 with
 * STARTUP (before both first connected) or DOWN (a control connection failed {@code
 * heartbeat.failure-threshold} times in a row). The JSON keeps the ZDM Proxy's Go field names, so
 * existing probes and scripts read it unchanged.
 */
public final class HealthRoutes {

  private HealthRoutes() {}

  public static List<Route> routes(Proxy proxy) {
    return List.of(
        Route.get("/health/liveness", request -> HttpResponse.ok("OK")),
        Route.get("/health/readiness", request -> readiness(proxy)));
  }

  static HttpResponse readiness(Proxy proxy) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (!proxy.isStarted()) {
      body.put("OriginStatus", null);
      body.put("TargetStatus", null);
      body.put("Status", "STARTUP");
      return new HttpResponse(503, body);
    }
    int threshold = proxy.settings().heartbeat().failureThreshold();
    Map<String, Object> origin = status(proxy.controlConnection(ClusterRole.ORIGIN), threshold);
    Map<String, Object> target = status(proxy.controlConnection(ClusterRole.TARGET), threshold);
    boolean up = "UP".equals(origin.get("Status")) && "UP".equals(target.get("Status"));
    body.put("OriginStatus", origin);
    body.put("TargetStatus", target);
    body.put("Status", up ? "UP" : "DOWN");
    return new HttpResponse(up ? 200 : 503, body);
  }

  private static Map<String, Object> status(ControlConnection control, int threshold) {
    InetSocketAddress endpoint = control.endpoint();
    int failures = control.consecutiveFailures();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("Addr", endpoint == null ? "NOT_CONNECTED" : Endpoints.format(endpoint));
    status.put("CurrentFailureCount", failures);
    status.put("FailureCountThreshold", threshold);
    status.put("Status", failures >= threshold ? "DOWN" : "UP");
    return status;
  }
}
