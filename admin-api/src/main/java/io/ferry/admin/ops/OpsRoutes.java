package io.ferry.admin.ops;

import com.datastax.oss.driver.api.core.metadata.Node;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.http.HttpRequest;
import io.ferry.admin.http.HttpResponse;
import io.ferry.admin.http.Route;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * OpsCenter's node administration and process management endpoints: {@code POST /{cluster_id}/ops}
 * (bulk), {@code GET .../ops/gc/{ip}}, {@code GET .../ops/drain/{ip}}, {@code PUT
 * .../ops/move/{ip}}, {@code POST .../ops/decommission/{ip}}, {@code POST
 * .../ops/{cleanup|flush|compact|repair}/{ip}/{ks}}, {@code POST .../ops/{start|stop|restart}/{ip}}
 * and {@code POST /{cluster_id}/ops/restart} (rolling restart).
 *
 * <p>Every argument is checked before anything runs; handlers run on the admin worker pool.
 */
public final class OpsRoutes {

  static final long DEFAULT_SLEEP_SECONDS = 60;

  private OpsRoutes() {}

  public static List<Route> routes(Operations operations, Executor workers) {
    List<Route> routes = new ArrayList<>();
    String ops = "/{cluster_id}/ops";
    routes.add(Route.post(ops, request -> bulk(operations, request)));
    routes.add(Route.post(ops + "/restart", request -> rollingRestart(operations, request)));
    routes.add(
        Route.get(
            ops + "/gc/{node_ip}",
            request -> nodeOperation(operations, request, NodeAction.PERFORM_GC, null)));
    routes.add(
        Route.get(
            ops + "/drain/{node_ip}",
            request -> nodeOperation(operations, request, NodeAction.DRAIN, null)));
    routes.add(
        Route.post(
            ops + "/decommission/{node_ip}",
            request -> nodeOperation(operations, request, NodeAction.DECOMMISSION, null)));
    routes.add(Route.put(ops + "/move/{node_ip}", request -> move(operations, request)));
    for (NodeAction action : List.of(NodeAction.CLEANUP, NodeAction.FLUSH, NodeAction.COMPACT)) {
      // No keyspace (or an empty one): every keyspace.
      routes.add(
          Route.post(
              ops + "/" + action.wireName() + "/{node_ip}",
              request -> keyspaceOperation(operations, request, action, "")));
      routes.add(
          Route.post(
              ops + "/" + action.wireName() + "/{node_ip}/{ks_name}",
              request ->
                  keyspaceOperation(
                      operations, request, action, request.pathParameters().get("ks_name"))));
    }
    routes.add(
        Route.post(
            ops + "/repair/{node_ip}/{ks_name}",
            request -> {
              ManagedCluster cluster = cluster(operations, request);
              String ip = node(cluster, request);
              ObjectNode arguments =
                  OperationArguments.repair(
                      cluster.cql(),
                      request.pathParameters().get("ks_name"),
                      OperationArguments.body(request.body()));
              return runNullWhenDone(
                  operations, cluster, request, NodeAction.REPAIR, ip, arguments);
            }));
    for (NodeAction action : List.of(NodeAction.START, NodeAction.STOP, NodeAction.RESTART)) {
      routes.add(
          Route.post(
              ops + "/" + action.wireName() + "/{node_ip}",
              request -> processOperation(operations, request, action)));
    }
    return routes.stream().map(route -> route.blocking(workers)).toList();
  }

  private static ManagedCluster cluster(Operations operations, HttpRequest request) {
    return operations.cluster(request.pathParameters().get("cluster_id"));
  }

  private static String node(ManagedCluster cluster, HttpRequest request) {
    String ip = request.pathParameters().get("node_ip");
    cluster.cql().requireNode(ip);
    return ip;
  }

  private static HttpResponse nodeOperation(
      Operations operations, HttpRequest request, NodeAction action, ObjectNode arguments)
      throws Exception {
    ManagedCluster cluster = cluster(operations, request);
    String ip = node(cluster, request);
    if (request.body().length > 0 && OperationArguments.body(request.body()) != null) {
      throw new InvalidArgumentsException(action.wireName() + " takes no body");
    }
    return runNullWhenDone(
        operations,
        cluster,
        request,
        action,
        ip,
        arguments != null ? arguments : OperationArguments.JSON.createObjectNode());
  }

  private static HttpResponse keyspaceOperation(
      Operations operations, HttpRequest request, NodeAction action, String keyspace)
      throws Exception {
    ManagedCluster cluster = cluster(operations, request);
    String ip = node(cluster, request);
    ObjectNode arguments =
        OperationArguments.keyspaceAndTables(
            cluster.cql(), keyspace, OperationArguments.body(request.body()));
    return runNullWhenDone(operations, cluster, request, action, ip, arguments);
  }

  private static HttpResponse runNullWhenDone(
      Operations operations,
      ManagedCluster cluster,
      HttpRequest request,
      NodeAction action,
      String ip,
      ObjectNode arguments)
      throws Exception {
    // A node whose JMX cannot be reached is a 503 before any request is recorded.
    cluster.jmx().connection(ip);
    Step step = new Step(Operations.newId(), action.wireName(), ip, arguments);
    return nullWhenDone(operations.await(operations.start(cluster, step, request.caller())));
  }

  /**
   * What an OpsCenter call that "returns null" answers: {@code null} once the operation has
   * succeeded within {@code operation-wait}, else 202 with the request id.
   */
  private static HttpResponse nullWhenDone(Operations.Progress progress) {
    return progress instanceof Operations.Progress.StillRunning running
        ? new HttpResponse(202, TextNode.valueOf(running.id().toString()))
        : HttpResponse.ok(null);
  }

  private static HttpResponse move(Operations operations, HttpRequest request) throws Exception {
    ManagedCluster cluster = cluster(operations, request);
    String ip = node(cluster, request);
    ObjectNode arguments = OperationArguments.move(OperationArguments.body(request.body()));
    cluster.jmx().connection(ip);
    Step step = new Step(Operations.newId(), NodeAction.MOVE.wireName(), ip, arguments);
    return requestId(operations.start(cluster, step, request.caller()).id());
  }

  private static HttpResponse processOperation(
      Operations operations, HttpRequest request, NodeAction action) throws Exception {
    ManagedCluster cluster = cluster(operations, request);
    String ip = node(cluster, request);
    ObjectNode arguments =
        OperationArguments.process(action, OperationArguments.body(request.body()));
    requireProcessCommands(cluster, action);
    if (arguments.path("drain_first").asBoolean(false)) {
      cluster.jmx().connection(ip);
    }
    Step step = new Step(Operations.newId(), action.wireName(), ip, arguments);
    return requestId(operations.start(cluster, step, request.caller()).id());
  }

  private static void requireProcessCommands(ManagedCluster cluster, NodeAction action) {
    cluster.processes().requireCommands(action != NodeAction.STOP, action != NodeAction.START);
  }

  /** {@code {"ips": [...], "action": ..., "is_rolling": true, "sleep": 60, "args": [...]}}. */
  private static HttpResponse bulk(Operations operations, HttpRequest request) throws Exception {
    ManagedCluster cluster = cluster(operations, request);
    ObjectNode body =
        OperationArguments.object(
            OperationArguments.body(request.body()),
            Set.of("ips", "action", "is_rolling", "sleep", "args"));
    if (!body.has("action")) {
      throw new InvalidArgumentsException("action: missing (expected e.g. \"flush\")");
    }
    NodeAction action =
        NodeAction.bulkAction(OperationArguments.text(body.get("action"), "action"));
    List<String> ips = nodes(cluster.cql(), body.get("ips"), false);
    boolean rolling = OperationArguments.bool(body, "is_rolling", true);
    long sleep = sleepSeconds(body.get("sleep"));
    ObjectNode arguments = OperationArguments.bulk(cluster.cql(), action, body.get("args"));
    if (action.stopsProcess() || action == NodeAction.START) {
      requireProcessCommands(cluster, action);
    }
    UUID id = Operations.newId();
    List<Step> steps =
        ips.stream()
            .map(ip -> new Step(Operations.newId(), action.wireName(), ip, arguments.deepCopy()))
            .toList();
    JobPlan plan = new JobPlan(JobPlan.BULK_OPERATIONS, steps, rolling, sleep, "job/" + id);
    return requestId(operations.startJob(cluster, id, plan, request.caller()));
  }

  /** {@code {"sleep": 60, "ips": [...], "drain_first": false}}. */
  private static HttpResponse rollingRestart(Operations operations, HttpRequest request)
      throws Exception {
    ManagedCluster cluster = cluster(operations, request);
    ObjectNode body =
        OperationArguments.object(
            OperationArguments.body(request.body()), Set.of("sleep", "ips", "drain_first"));
    List<String> ips = nodes(cluster.cql(), body.get("ips"), true);
    long sleep = sleepSeconds(body.get("sleep"));
    boolean drainFirst = OperationArguments.bool(body, "drain_first", false);
    requireProcessCommands(cluster, NodeAction.RESTART);
    ObjectNode arguments = OperationArguments.JSON.createObjectNode();
    arguments.put("drain_first", drainFirst);
    arguments.put("wait_for_cassandra", true);
    UUID id = Operations.newId();
    List<Step> steps =
        ips.stream()
            .map(
                ip ->
                    new Step(
                        Operations.newId(),
                        NodeAction.RESTART.wireName(),
                        ip,
                        arguments.deepCopy()))
            .toList();
    JobPlan plan =
        new JobPlan(JobPlan.ROLLING_RESTART, steps, true, sleep, JobPlan.ROLLING_RESTART);
    return requestId(operations.startJob(cluster, id, plan, request.caller()));
  }

  /** The listed nodes, each checked; none listed means every node when {@code allByDefault}. */
  static List<String> nodes(ClusterSession cluster, JsonNode ips, boolean allByDefault) {
    List<String> listed = OperationArguments.stringList(ips, "ips");
    if (listed.isEmpty()) {
      if (!allByDefault) {
        throw new InvalidArgumentsException("ips: expected a non-empty list of node addresses");
      }
      return cluster.nodes().stream().map(ClusterSession::address).toList();
    }
    Set<String> unique = new LinkedHashSet<>();
    for (String ip : listed) {
      Node node = cluster.requireNode(ip);
      if (!unique.add(ClusterSession.address(node))) {
        throw new InvalidArgumentsException("ips: " + ip + " is listed twice");
      }
    }
    return List.copyOf(unique);
  }

  static long sleepSeconds(JsonNode sleep) {
    if (sleep == null || sleep.isNull()) {
      return DEFAULT_SLEEP_SECONDS;
    }
    if (!sleep.isNumber() || sleep.asDouble() < 0 || sleep.asDouble() > 86_400) {
      throw new InvalidArgumentsException(
          "sleep: " + sleep + " (expected: seconds between 0 and 86400)");
    }
    return (long) Math.ceil(sleep.asDouble());
  }

  static HttpResponse requestId(UUID id) {
    return HttpResponse.ok(TextNode.valueOf(id.toString()));
  }
}
