package io.ferry.admin.ops;

import com.datastax.oss.driver.api.core.metadata.Node;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.admin.agent.NodeJmx;
import io.ferry.admin.agent.RepairRunner;
import io.ferry.admin.agent.StorageServiceOperations;
import io.ferry.admin.cluster.ManagedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one {@link Step} on its node: JMX for the database operations, the cluster's commands
 * for the process. Each method returns what happened, for the request's message, or throws.
 *
 * <p>Thread policy: blocking (JMX, processes); worker pool. Stateless.
 */
public final class NodeOperations {

  private static final Logger LOG = LoggerFactory.getLogger(NodeOperations.class);
  private static final Duration POLL = Duration.ofSeconds(1);
  // A repair asked for by hand runs until it ends or is cancelled.
  private static final Duration NO_TIMEOUT = Duration.ofDays(36_500);

  private NodeOperations() {}

  public static String run(ManagedCluster cluster, Step step) throws Exception {
    NodeJmx jmx = cluster.jmx();
    String ip = step.ip();
    ObjectNode arguments = step.arguments();
    return switch (step.nodeAction()) {
      case PERFORM_GC -> {
        jmx.gc(ip);
        yield "garbage collection done";
      }
      case DRAIN -> drain(jmx, ip);
      case FLUSH ->
          forEachKeyspace(
              jmx,
              ip,
              arguments,
              false,
              (storage, keyspace, tables) -> {
                storage.forceKeyspaceFlush(keyspace, tables);
                return null;
              },
              "flushed");
      case COMPACT ->
          forEachKeyspace(
              jmx,
              ip,
              arguments,
              false,
              (storage, keyspace, tables) -> {
                storage.forceKeyspaceCompaction(false, keyspace, tables);
                return null;
              },
              "compacted");
      case CLEANUP ->
          forEachKeyspace(
              jmx,
              ip,
              arguments,
              true,
              (storage, keyspace, tables) -> {
                int status = storage.forceKeyspaceCleanup(0, keyspace, tables);
                if (status != 0) {
                  throw new IllegalStateException(
                      "cleanup of "
                          + keyspace
                          + (status == 1 ? " was aborted" : " could not be cancelled")
                          + " by the node");
                }
                return null;
              },
              "cleaned up");
      case REPAIR -> repair(cluster, ip, arguments);
      case DECOMMISSION -> {
        jmx.storage(
            ip,
            storage -> {
              storage.decommission(false);
              return null;
            });
        String mode = jmx.storage(ip, StorageServiceOperations::getOperationMode);
        yield "decommissioned (mode " + mode + "); the process still runs: stop it to finish";
      }
      case MOVE -> move(jmx, ip, arguments.get("token").asText());
      case STOP -> {
        if (arguments.path("drain_first").asBoolean(false)) {
          drain(jmx, ip);
        }
        cluster.processes().stop(ip, cluster.cql().settings().port());
        yield "stopped";
      }
      case START -> {
        boolean wait = arguments.path("wait_for_cassandra").asBoolean(true);
        cluster.processes().start(ip, cluster.cql(), wait);
        yield wait ? "started; answers CQL" : "start command done";
      }
      case RESTART -> {
        if (arguments.path("drain_first").asBoolean(false)) {
          drain(jmx, ip);
        }
        cluster.processes().stop(ip, cluster.cql().settings().port());
        boolean wait = arguments.path("wait_for_cassandra").asBoolean(true);
        cluster.processes().start(ip, cluster.cql(), wait);
        yield wait ? "restarted; answers CQL" : "restarted (start command done)";
      }
    };
  }

  private static String drain(NodeJmx jmx, String ip) throws Exception {
    boolean drained =
        jmx.storage(
            ip,
            storage -> {
              if (!storage.isDrained()) {
                storage.drain();
              }
              return storage.isDrained();
            });
    if (!drained) {
      throw new IllegalStateException("node " + ip + " did not report itself drained");
    }
    return "drained";
  }

  @FunctionalInterface
  private interface KeyspaceCall {
    Void call(StorageServiceOperations storage, String keyspace, String[] tables) throws Exception;
  }

  private static String forEachKeyspace(
      NodeJmx jmx,
      String ip,
      ObjectNode arguments,
      boolean replicatedOnly,
      KeyspaceCall call,
      String done)
      throws Exception {
    String keyspace = arguments.path("keyspace").asText("");
    List<String> tables = new ArrayList<>();
    arguments.path("tables").forEach(table -> tables.add(table.asText()));
    return jmx.storage(
        ip,
        storage -> {
          List<String> keyspaces =
              keyspace.isEmpty()
                  ? (replicatedOnly
                      ? storage.getNonLocalStrategyKeyspaces()
                      : storage.getKeyspaces())
                  : List.of(keyspace);
          for (String name : keyspaces) {
            call.call(storage, name, tables.toArray(String[]::new));
          }
          return done
              + " "
              + (keyspace.isEmpty() ? "all keyspaces" : keyspace)
              + (tables.isEmpty() ? "" : " " + tables);
        });
  }

  private static String repair(ManagedCluster cluster, String ip, ObjectNode arguments)
      throws Exception {
    String keyspace = arguments.get("keyspace").asText();
    Map<String, String> options = new HashMap<>();
    options.put(
        "parallelism", arguments.path("is_sequential").asBoolean(true) ? "sequential" : "parallel");
    options.put("primaryRange", Boolean.toString(arguments.path("primary_range").asBoolean(false)));
    options.put("incremental", "false");
    List<String> tables = new ArrayList<>();
    arguments.path("tables").forEach(table -> tables.add(table.asText()));
    if (!tables.isEmpty()) {
      options.put("columnFamilies", String.join(",", tables));
    }
    if (arguments.path("is_local").asBoolean(false)) {
      Node node = cluster.cql().requireNode(ip);
      options.put("dataCenters", node.getDatacenter());
    }
    RepairRunner.Outcome outcome =
        RepairRunner.run(
            cluster.jmx(),
            ip,
            keyspace,
            options,
            NO_TIMEOUT,
            command ->
                LOG.debug("[{} {}] repair #{} of {} started", cluster.id(), ip, command, keyspace));
    return switch (outcome.status()) {
      case NOTHING_TO_REPAIR -> "nothing to repair in " + keyspace;
      case SUCCEEDED -> "repaired " + keyspace + (tables.isEmpty() ? "" : " " + tables);
      default ->
          throw new IllegalStateException(
              "repair of " + keyspace + " failed: " + outcome.summary());
    };
  }

  private static String move(NodeJmx jmx, String ip, String token) throws Exception {
    List<String> tokens = jmx.storage(ip, StorageServiceOperations::getTokens);
    if (tokens.size() != 1) {
      throw new IllegalStateException(
          "node "
              + ip
              + " has "
              + tokens.size()
              + " tokens (vnodes): only a single-token node can move");
    }
    if (tokens.get(0).equals(token)) {
      return "already at token " + token;
    }
    jmx.storage(
        ip,
        storage -> {
          storage.move(token);
          return null;
        });
    // move() returns once the node has streamed; the ring settles right after.
    for (int attempt = 0; attempt < 60; attempt++) {
      String mode = jmx.storage(ip, StorageServiceOperations::getOperationMode);
      if ("NORMAL".equals(mode)) {
        return "moved from token " + tokens.get(0) + " to " + token;
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new IllegalStateException("node " + ip + " did not return to NORMAL after its move");
  }
}
