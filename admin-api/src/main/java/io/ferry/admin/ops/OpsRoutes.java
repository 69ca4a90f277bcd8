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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * OpsCenter's node administration and process management endpoints: {@code POST /{cluster_id}/ops}
 * (bulk), {@code GET .../ops/gc/{ip}}, {@code GET .../ops/drain/{ip}}, {@code PUT
 * .../ops/move/{ip}}, {@code POST .../ops/decommission/{ip}}, {@code POST
 * .../ops/{cleanup|flush|compact|repair}/{ip}/{ks}}, {@code POST .../ops/{start|stop|restart}/{ip}}
 * and {@code POST /{cluster_id}/ops/restart} (rolling restart).
 *
 * <p>Every argument is checked before anything runs. Every handler blocks (CQL, JMX, the wait for
 * an operation).
 */
public final class OpsRoutes {

  static final long DEFAULT_SLEEP_SECONDS = 60;

  private final Operations operations;

  public OpsRoutes(Operations operations) {
    this.operations = operations;
  }

  /** {@code GET .../ops/gc/{node_ip}}. */
  public HttpResponse gc(HttpRequest request) throws Exception {
    return nodeOperation(operations, request, NodeAction.PERFORM_GC);
  }

  /** {@code GET .../ops/drain/{node_ip}}. */
  public HttpResponse drain(HttpRequest request) throws Exception {
    return nodeOperation(operations, request, NodeAction.DRAIN);
  }

  /** {@code POST .../ops/decommission/{node_ip}}. */
  public HttpResponse decommission(HttpRequest request) throws Exception {
    return nodeOperation(operations, request, NodeAction.DECOMMISSION);
  }

  /**
   * {@code POST .../ops/{cleanup|flush|compact}/{node_ip}[/{ks_name}]}: no keyspace (or an empty
   * one) means every keyspace.
   */
  public Route.Handler keyspaceOperation(NodeAction action) {
    return request -> {
      String keyspace = request.pathParameters().getOrDefault("ks_name", "");
      return keyspaceOperation(operations, request, action, keyspace);
    };
  }

  /** {@code POST .../ops/repair/{node_ip}/{ks_name}}. */
  public HttpResponse repair(HttpRequest request) throws Exception {
    ManagedCluster cluster = cluster(operations, request);
    String ip = node(cluster, request);
    ObjectNode arguments =
        OperationArguments.repair(
            cluster.cql(),
            request.pathParameters().get("ks_name"),
            OperationArguments.body(request.body()));
    return runNullWhenDone(operations, cluster, request, NodeAction.REPAIR, ip, arguments);
  }

  /** {@code POST .../ops/{start|stop|restart}/{node_ip}}. */
  public Route.Handler processOperation(NodeAction action) {
    return request -> processOperation(operations, request, action);
  }

  /** {@code PUT .../ops/move/{node_ip}}. */
  public HttpResponse move(HttpRequest request) throws Exception {
    return move(operations, request);
  }

  /** {@code POST /{cluster_id}/ops}. */
  public HttpResponse bulk(HttpRequest request) throws Exception {
    return bulk(operations, request);
  }

  /** {@code POST /{cluster_id}/ops/restart}. */
  public HttpResponse rollingRestart(HttpRequest request) throws Exception {
    return rollingRestart(operations, request);
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
      Operations operations, HttpRequest request, NodeAction action) throws Exception {
    ManagedCluster cluster = cluster(operations, request);
    String ip = node(cluster, request);
    if (request.body().length > 0 && OperationArguments.body(request.body()) != null) {
      throw new InvalidArgumentsException(action.wireName() + " takes no body");
    }
    return runNullWhenDone(
        operations, cluster, request, action, ip, OperationArguments.JSON.createObjectNode());
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
    cluster.agent().requireReachable(ip);
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
    cluster.agent().requireReachable(ip);
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
      cluster.agent().requireReachable(ip);
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
