package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An operation on the tables of one keyspace, or of every keyspace of the node when the arguments
 * name none ({@code {"keyspace": "", "tables": []}}): flush, compact, cleanup.
 */
abstract class KeyspaceOperation implements NodeOperation {

  private final boolean replicatedOnly;
  private final String done;

  /**
   * @param replicatedOnly whether "every keyspace" means only those replicated across nodes
   * @param done how the message says it was done, e.g. {@code flushed}
   */
  KeyspaceOperation(boolean replicatedOnly, String done) {
    this.replicatedOnly = replicatedOnly;
    this.done = done;
  }

  /** Does the operation to one keyspace's tables (all when {@code tables} is empty). */
  abstract void run(NodeTarget node, String keyspace, List<String> tables) throws Exception;

  @Override
  public final String run(NodeTarget node, ObjectNode arguments) throws Exception {
    String keyspace = arguments.path("keyspace").asText("");
    List<String> tables = new ArrayList<>();
    arguments.path("tables").forEach(table -> tables.add(table.asText()));
    List<String> keyspaces =
        keyspace.isEmpty() ? node.agent().keyspaces(node.ip(), replicatedOnly) : List.of(keyspace);
    for (String name : keyspaces) {
      run(node, name, tables);
    }
    return done
        + " "
        + (keyspace.isEmpty() ? "all keyspaces" : keyspace)
        + (tables.isEmpty() ? "" : " " + tables);
  }
}
