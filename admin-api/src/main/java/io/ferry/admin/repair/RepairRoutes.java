package io.ferry.admin.repair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.http.HttpRequest;
import io.ferry.admin.http.HttpResponse;
import io.ferry.admin.ops.OperationArguments;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * OpsCenter's cluster services and repair service endpoints: {@code GET /{cluster_id}/services},
 * {@code POST|DELETE|GET /{cluster_id}/services/repair}, {@code GET /{cluster_id}/repair-status}
 * and {@code GET /{cluster_id}/repair-details}. Every handler blocks (CQL).
 */
public final class RepairRoutes {

  /** The shortest cycle Ferry accepts: a minute. */
  static final long MIN_TIME_TO_COMPLETION = 60;

  private final Function<String, RepairService> services;
  private final Function<String, Map<String, Object>> others;

  /**
   * @param services the repair service of a cluster id (404 for an unknown one)
   * @param others the other services' entries of {@code GET /{cluster_id}/services}
   */
  public RepairRoutes(
      Function<String, RepairService> services, Function<String, Map<String, Object>> others) {
    this.services = services;
    this.others = others;
  }

  /** {@code GET /{cluster_id}/services}. */
  public HttpResponse services(HttpRequest request) {
    String id = request.pathParameters().get("cluster_id");
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("repair", services.apply(id).serviceSummary());
    all.putAll(others.apply(id));
    return HttpResponse.ok(all);
  }

  /** {@code GET /{cluster_id}/services/repair}. */
  public HttpResponse status(HttpRequest request) {
    return HttpResponse.ok(service(request).serviceStatus());
  }

  /** {@code POST /{cluster_id}/services/repair}. */
  public HttpResponse enable(HttpRequest request) throws java.io.IOException {
    return HttpResponse.ok(service(request).enable(timeToCompletion(request.body())));
  }

  /** {@code DELETE /{cluster_id}/services/repair}. */
  public HttpResponse disable(HttpRequest request) {
    return HttpResponse.ok(service(request).disable());
  }

  /** {@code GET /{cluster_id}/repair-status}. */
  public HttpResponse repairStatus(HttpRequest request) {
    return HttpResponse.ok(service(request).repairStatus());
  }

  /** {@code GET /{cluster_id}/repair-details}. */
  public HttpResponse repairDetails(HttpRequest request) {
    return HttpResponse.ok(
        service(request)
            .repairDetails(
                blankToNull(request.query("keyspace")), blankToNull(request.query("table"))));
  }

  private RepairService service(HttpRequest request) {
    return services.apply(request.pathParameters().get("cluster_id"));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  static long timeToCompletion(byte[] body) throws java.io.IOException {
    JsonNode json = OperationArguments.body(body);
    if (json == null) {
      throw new InvalidArgumentsException(
          "body: expected {\"time_to_completion\": <seconds>}, e.g. 864000 (10 days)");
    }
    ObjectNode given = OperationArguments.object(json, Set.of("time_to_completion"));
    JsonNode value = given.get("time_to_completion");
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new InvalidArgumentsException(
          "time_to_completion: expected a whole number of seconds, e.g. 864000 (10 days), got "
              + value);
    }
    long seconds = value.longValue();
    if (seconds < MIN_TIME_TO_COMPLETION) {
      throw new InvalidArgumentsException(
          "time_to_completion: "
              + seconds
              + " s is too short; expected at least "
              + MIN_TIME_TO_COMPLETION
              + " s (OpsCenter suggests 90% of the lowest gc_grace_seconds)");
    }
    return seconds;
  }
}
