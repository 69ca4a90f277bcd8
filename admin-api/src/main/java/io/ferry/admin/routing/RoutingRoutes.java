package io.ferry.admin.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.http.HttpRequest;
import io.ferry.admin.http.HttpResponse;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.ReadMode;
import io.ferry.proxy.routing.Router;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /proxy/routing} reports this instance's effective routing; {@code PUT /proxy/routing}
 * switches the primary cluster and the read mode (dual reads on or off) without a restart and
 * without dropping client connections: requests in flight finish under the old rule, new ones
 * follow the new one. Each Ferry instance is switched on its own (call every instance of the
 * fleet).
 */
public final class RoutingRoutes {

  public static final String PATH = "/proxy/routing";
  private static final Logger LOG = LoggerFactory.getLogger(RoutingRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Router router;

  public RoutingRoutes(Router router) {
    this.router = router;
  }

  /** {@code GET /proxy/routing}; does not block (the event loop may serve it). */
  public HttpResponse state(HttpRequest request) {
    return HttpResponse.ok(state(router));
  }

  private static Map<String, Object> state(Router router) {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("primary_cluster", router.primary().name());
    state.put("read_mode", router.readMode().name());
    state.put("system_queries_mode", router.systemQueriesCluster().name());
    return state;
  }

  /** {@code PUT /proxy/routing}; does not block (the event loop may serve it). */
  public HttpResponse update(HttpRequest request) throws IOException {
    JsonNode body = JSON.readTree(request.body());
    if (body == null || !body.isObject()) {
      throw new InvalidArgumentsException(
          "expected a JSON object such as {\"primary_cluster\": \"TARGET\"}");
    }
    ClusterRole primary = router.primary();
    ReadMode readMode = router.readMode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      switch (field.getKey()) {
        case "primary_cluster" ->
            primary = choice(field.getValue(), ClusterRole.class, "primary_cluster");
        case "read_mode" -> readMode = choice(field.getValue(), ReadMode.class, "read_mode");
        default ->
            throw new InvalidArgumentsException(
                "unknown field " + field.getKey() + " (expected: primary_cluster, read_mode)");
      }
    }
    ClusterRole previousPrimary = router.primary();
    ReadMode previousReadMode = router.readMode();
    router.setPrimary(primary);
    router.setReadMode(readMode);
    if (previousPrimary != primary) {
      LOG.info(
          "Primary cluster switched from {} to {} through the admin API", previousPrimary, primary);
    }
    if (previousReadMode != readMode) {
      LOG.info(
          "Read mode switched from {} to {} through the admin API", previousReadMode, readMode);
    }
    return HttpResponse.ok(state(router));
  }

  /** A JSON string naming a constant of {@code type}, case-insensitively. */
  private static <E extends Enum<E>> E choice(JsonNode value, Class<E> type, String field) {
    String text = value.isTextual() ? value.asText().trim().toUpperCase(Locale.ROOT) : "";
    try {
      return Enum.valueOf(type, text);
    } catch (IllegalArgumentException e) {
      List<String> expected =
          java.util.Arrays.stream(type.getEnumConstants())
              .map(c -> "\"" + c.name() + "\"")
              .toList();
      throw new InvalidArgumentsException(
          field + ": " + value + " (expected: " + String.join(" or ", expected) + ")");
    }
  }
}
