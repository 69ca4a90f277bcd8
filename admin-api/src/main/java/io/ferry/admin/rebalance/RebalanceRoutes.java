package io.ferry.admin.rebalance;

import com.datastax.oss.driver.api.core.metadata.Node;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.agent.NodeUnreachableException;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.http.HttpRequest;
import io.ferry.admin.http.HttpResponse;
import io.ferry.admin.ops.JobPlan;
import io.ferry.admin.ops.NodeAction;
import io.ferry.admin.ops.OperationArguments;
import io.ferry.admin.ops.Operations;
import io.ferry.admin.ops.Step;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code GET /{cluster_id}/ops/rebalance} proposes the moves that balance a single-token cluster
 * ({@code [[token, ip], ...]}); {@code POST} runs such a list, one move at a time ({@code ?sleep=}
 * seconds between moves), then a cleanup of every node, as a job whose status lists the moves.
 */
public final class RebalanceRoutes {

  private final Operations operations;

  public RebalanceRoutes(Operations operations) {
    this.operations = operations;
  }

  /** The ring as the cluster's nodes see it, with each node's datacenter. */
  private record Ring(
      RebalancePlanner.Partitioner partitioner, List<RebalancePlanner.RingNode> nodes) {}

  private static Ring ring(ManagedCluster cluster) throws Exception {
    NodeUnreachableException lastFailure = null;
    for (Node node : cluster.cql().nodes()) {
      String address = ClusterSession.address(node);
      try {
        String partitionerName = cluster.agent().partitioner(address);
        Map<String, String> tokens = cluster.agent().tokenToEndpoint(address);
        RebalancePlanner.Partitioner partitioner;
        try {
          partitioner = RebalancePlanner.Partitioner.of(partitionerName);
        } catch (IllegalArgumentException e) {
          throw new InvalidArgumentsException(e.getMessage());
        }
        Map<String, List<String>> byEndpoint = new HashMap<>();
        tokens.forEach(
            (token, endpoint) ->
                byEndpoint.computeIfAbsent(endpoint, e -> new ArrayList<>()).add(token));
        List<RebalancePlanner.RingNode> ring = new ArrayList<>();
        for (Map.Entry<String, List<String>> entry : byEndpoint.entrySet()) {
          String endpoint = entry.getKey().replaceFirst("^/", "").replaceFirst(":\\d+$", "");
          if (entry.getValue().size() > 1) {
            throw new InvalidArgumentsException(
                "cluster "
                    + cluster.id()
                    + " uses vnodes (node "
                    + endpoint
                    + " has "
                    + entry.getValue().size()
                    + " tokens): rebalance only applies to single-token clusters");
          }
          Node ringNode = cluster.cql().requireNode(endpoint);
          ring.add(
              new RebalancePlanner.RingNode(
                  ClusterSession.address(ringNode),
                  ringNode.getDatacenter(),
                  new BigInteger(entry.getValue().get(0))));
        }
        return new Ring(partitioner, ring);
      } catch (NodeUnreachableException e) {
        lastFailure = e;
      }
    }
    throw lastFailure != null
        ? lastFailure
        : new UnavailableException("cluster " + cluster.id() + " has no node");
  }

  /** {@code GET /{cluster_id}/ops/rebalance}; blocks (JMX). */
  public HttpResponse propose(HttpRequest request) throws Exception {
    ManagedCluster cluster = operations.cluster(request.pathParameters().get("cluster_id"));
    Ring ring = ring(cluster);
    List<List<String>> moves = new ArrayList<>();
    for (RebalancePlanner.Move move : RebalancePlanner.plan(ring.partitioner(), ring.nodes())) {
      moves.add(List.of(move.to().toString(), move.address()));
    }
    return HttpResponse.ok(moves);
  }

  /** {@code POST /{cluster_id}/ops/rebalance}; blocks (JMX, CQL). */
  public HttpResponse run(HttpRequest request) throws Exception {
    ManagedCluster cluster = operations.cluster(request.pathParameters().get("cluster_id"));
    long sleep = sleep(request.query("sleep"));
    JsonNode body = OperationArguments.body(request.body());
    if (body == null || !body.isArray() || body.isEmpty()) {
      throw new InvalidArgumentsException(
          "body: expected a non-empty list of moves [[token, ip], ...], as GET"
              + " /{cluster_id}/ops/rebalance proposes");
    }
    Ring ring = ring(cluster);
    Map<String, BigInteger> current = new HashMap<>();
    ring.nodes().forEach(node -> current.put(node.address(), node.token()));
    Set<String> moved = new HashSet<>();
    Set<BigInteger> targets = new HashSet<>();
    List<Step> steps = new ArrayList<>();
    for (JsonNode move : body) {
      if (!move.isArray() || move.size() != 2 || !move.get(1).isTextual()) {
        throw new InvalidArgumentsException("move " + move + " (expected: [token, ip])");
      }
      String token = move.get(0).asText();
      BigInteger value;
      try {
        value = new BigInteger(token);
      } catch (NumberFormatException e) {
        throw new InvalidArgumentsException("move " + move + ": " + token + " is not a token");
      }
      if (!ring.partitioner().contains(value)) {
        throw new InvalidArgumentsException(
            "move " + move + ": token out of the " + ring.partitioner() + " partitioner's range");
      }
      String ip = ClusterSession.address(cluster.cql().requireNode(move.get(1).asText()));
      if (!moved.add(ip) || !targets.add(value)) {
        throw new InvalidArgumentsException(
            "move " + move + ": each node and each token may appear in one move only");
      }
      ObjectNode arguments = OperationArguments.move(move.get(0));
      arguments.put("old", String.valueOf(current.get(ip)));
      steps.add(new Step(Operations.newId(), NodeAction.MOVE.wireName(), ip, arguments));
    }
    // Data a node no longer owns stays on disk until a cleanup.
    for (RebalancePlanner.RingNode node : ring.nodes()) {
      steps.add(
          new Step(
              Operations.newId(),
              NodeAction.CLEANUP.wireName(),
              node.address(),
              OperationArguments.keyspaceAndTables(cluster.cql(), "", null)));
    }
    UUID id = Operations.newId();
    JobPlan plan = new JobPlan(JobPlan.REBALANCE, steps, true, sleep, JobPlan.REBALANCE);
    operations.startJob(cluster, id, plan, request.caller());
    return HttpResponse.ok(com.fasterxml.jackson.databind.node.TextNode.valueOf(id.toString()));
  }

  private static long sleep(String value) {
    if (value == null) {
      return 0;
    }
    try {
      long seconds = Long.parseLong(value);
      if (seconds >= 0 && seconds <= 86_400) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidArgumentsException(
        "sleep: " + value + " (expected: seconds between 0 and 86400)");
  }
}
