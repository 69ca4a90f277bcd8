package io.ferry.admin.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * One action on one node: a request of its own, alone or as a step of a job.
 *
 * @param arguments the action's validated arguments (keyspace, tables, flags), as stored in the
 *     request's plan
 */
public record Step(UUID id, String action, String ip, ObjectNode arguments) {

  public NodeAction nodeAction() {
    return NodeAction.fromWireName(action);
  }
}
