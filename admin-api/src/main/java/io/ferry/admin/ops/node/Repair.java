package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.admin.agent.RepairRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code repair}: a full repair of a keyspace coordinated by the node, as OpsCenter asks it. */
public final class Repair implements NodeOperation {

  private static final Logger LOG = LoggerFactory.getLogger(Repair.class);
  // A repair asked for by hand runs until it ends or is cancelled.
  private static final Duration NO_TIMEOUT = Duration.ofDays(36_500);

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
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
      options.put("dataCenters", node.agent().datacenter(node.ip()));
    }
    RepairRunner.Outcome outcome =
        node.agent()
            .repair(
                node.ip(),
                keyspace,
                options,
                NO_TIMEOUT,
                command ->
                    LOG.debug(
                        "[{} {}] repair #{} of {} started",
                        node.clusterId(),
                        node.ip(),
                        command,
                        keyspace));
    return switch (outcome.status()) {
      case NOTHING_TO_REPAIR -> "nothing to repair in " + keyspace;
      case SUCCEEDED -> "repaired " + keyspace + (tables.isEmpty() ? "" : " " + tables);
      default ->
          throw new IllegalStateException(
              "repair of " + keyspace + " failed: " + outcome.summary());
    };
  }
}
