package io.ferry.admin.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.errors.NotFoundException;
import io.ferry.admin.errors.NotSupportedException;
import io.ferry.admin.http.HttpRequest;
import io.ferry.admin.http.HttpResponse;
import io.ferry.admin.requests.AdminRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /request/{id}/status}, {@code POST /request/{id}/cancel}, {@code GET
 * /{cluster_id}/request/{type}} and {@code GET /cluster-configs}.
 */
public final class RequestRoutes {

  /** How many requests {@code list_all=1} lists at most. */
  static final int LIST_LIMIT = 1000;

  private static final List<String> LISTED_TYPES =
      List.of(
          JobPlan.ROLLING_RESTART,
          JobPlan.BULK_OPERATIONS,
          JobPlan.REBALANCE,
          "gc",
          "drain",
          "move",
          "decommission",
          "cleanup",
          "flush",
          "compact",
          "repair",
          "start",
          "stop",
          "restart");

  private final Operations operations;

  public RequestRoutes(Operations operations) {
    this.operations = operations;
  }

  /** {@code GET /cluster-configs}. */
  public HttpResponse clusterConfigs(HttpRequest request) {
    return clusterConfigs(operations);
  }

  /** {@code GET /request/{request_id}/status}. */
  public HttpResponse status(HttpRequest request) {
    return status(operations, request);
  }

  /** {@code POST /request/{request_id}/cancel}. */
  public HttpResponse cancel(HttpRequest request) {
    operations.cancel(requestId(request), request.caller());
    return HttpResponse.ok(null);
  }

  /** {@code GET /{cluster_id}/request/{request_type}}. */
  public HttpResponse list(HttpRequest request) {
    return list(operations, request);
  }

  private static HttpResponse clusterConfigs(Operations operations) {
    Map<String, Object> configs = new LinkedHashMap<>();
    operations.clusters().values().stream()
        .sorted(java.util.Comparator.comparing(ManagedCluster::id))
        .forEach(cluster -> configs.put(cluster.id(), cluster.describe()));
    return HttpResponse.ok(configs);
  }

  private static UUID requestId(HttpRequest request) {
    String id = request.pathParameters().get("request_id");
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentsException("request_id: " + id + " (expected: a request's UUID)");
    }
    if (uuid.version() != 1) {
      // Ferry's request ids are time-based.
      throw new NotFoundException("request_id: no request " + id);
    }
    return uuid;
  }

  private static HttpResponse status(Operations operations, HttpRequest request) {
    Operations.Found found = operations.find(requestId(request));
    return HttpResponse.ok(view(found.cluster(), found.request(), true));
  }

  /**
   * A request in OpsCenter's shape: {@code id, state, started, finished, cluster_id, details}, with
   * {@code status} and {@code error_message} as in OpsCenter's status example, and the {@code
   * moves} of a rebalance; a job's details are its steps, by id.
   */
  static Map<String, Object> view(ManagedCluster cluster, AdminRequest request, boolean withSteps) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", request.id().toString());
    view.put("type", request.type());
    view.put("state", request.state());
    view.put("status", request.state());
    view.put("started", seconds(request.started()));
    view.put("finished", seconds(request.finished()));
    view.put("cluster_id", request.clusterId());
    view.put(
        "error_message", AdminRequest.ERROR.equals(request.state()) ? request.message() : null);
    if (request.children().isEmpty() || !withSteps) {
      view.put("details", request.message());
    } else {
      Map<String, Object> steps = new LinkedHashMap<>();
      List<AdminRequest> children = new ArrayList<>();
      for (UUID child : request.children()) {
        cluster.requests().get(child).ifPresent(children::add);
      }
      children.forEach(child -> steps.put(child.id().toString(), view(cluster, child, false)));
      view.put("details", steps);
      if (JobPlan.REBALANCE.equals(request.type())) {
        view.put("moves", moves(children));
      }
    }
    return view;
  }

  private static List<Map<String, Object>> moves(List<AdminRequest> steps) {
    List<Map<String, Object>> moves = new ArrayList<>();
    for (AdminRequest step : steps) {
      if (!NodeAction.MOVE.wireName().equals(step.type())) {
        continue; // the cleanups that follow the moves
      }
      JsonNode plan;
      try {
        plan = OperationArguments.JSON.readTree(step.plan());
      } catch (java.io.IOException e) {
        continue;
      }
      Map<String, Object> move = new LinkedHashMap<>();
      move.put("status", AdminRequest.PENDING.equals(step.state()) ? null : step.state());
      move.put("ip", plan.path("ip").asText());
      move.put("old", plan.path("arguments").path("old").asText(null));
      move.put("new", plan.path("arguments").path("token").asText(null));
      moves.add(move);
    }
    return moves;
  }

  private static Long seconds(Instant instant) {
    return instant == null ? null : instant.getEpochSecond();
  }

  private static HttpResponse list(Operations operations, HttpRequest request) {
    ManagedCluster cluster = operations.cluster(request.pathParameters().get("cluster_id"));
    String type = request.pathParameters().get("request_type");
    if (type.equals("restore")) {
      throw new NotSupportedException(
          "request_type: restore is not supported: Ferry has no backup service, so there are no"
              + " restore requests");
    }
    if (!LISTED_TYPES.contains(type)) {
      throw new InvalidArgumentsException(
          "request_type: " + type + " (expected one of: " + String.join(", ", LISTED_TYPES) + ")");
    }
    String listAll = request.query("list_all");
    boolean all;
    if (listAll == null || listAll.equals("0") || listAll.equalsIgnoreCase("false")) {
      all = false;
    } else if (listAll.equals("1") || listAll.equalsIgnoreCase("true")) {
      all = true;
    } else {
      throw new InvalidArgumentsException("list_all: " + listAll + " (expected: 0 or 1)");
    }
    List<UUID> ids = cluster.requests().latest(type, all ? LIST_LIMIT : 1);
    if (all) {
      // Oldest first, as OpsCenter lists them.
      List<String> listed = new ArrayList<>(ids.stream().map(UUID::toString).toList());
      java.util.Collections.reverse(listed);
      return HttpResponse.ok(listed);
    }
    return HttpResponse.ok(ids.isEmpty() ? null : TextNode.valueOf(ids.get(0).toString()));
  }
}
