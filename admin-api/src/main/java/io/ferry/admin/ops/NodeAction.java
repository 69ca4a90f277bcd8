package io.ferry.admin.ops;

import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.ops.node.Cleanup;
import io.ferry.admin.ops.node.Compact;
import io.ferry.admin.ops.node.Decommission;
import io.ferry.admin.ops.node.Drain;
import io.ferry.admin.ops.node.Flush;
import io.ferry.admin.ops.node.Gc;
import io.ferry.admin.ops.node.Move;
import io.ferry.admin.ops.node.NodeOperation;
import io.ferry.admin.ops.node.Repair;
import io.ferry.admin.ops.node.Restart;
import io.ferry.admin.ops.node.Start;
import io.ferry.admin.ops.node.Stop;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What can be done to one node, by its OpsCenter name. */
public enum NodeAction {
  CLEANUP("cleanup", true, new Cleanup()),
  COMPACT("compact", true, new Compact()),
  FLUSH("flush", true, new Flush()),
  PERFORM_GC("perform_gc", true, new Gc()),
  REPAIR("repair", true, new Repair()),
  RESTART("restart", true, new Restart()),
  START("start", true, new Start()),
  STOP("stop", true, new Stop()),
  DRAIN("drain", false, new Drain()),
  DECOMMISSION("decommission", false, new Decommission()),
  MOVE("move", false, new Move());

  private final String wireName;
  private final boolean bulk;
  private final NodeOperation operation;

  NodeAction(String wireName, boolean bulk, NodeOperation operation) {
    this.wireName = wireName;
    this.bulk = bulk;
    this.operation = operation;
  }

  /** What the action does to its node. */
  public NodeOperation operation() {
    return operation;
  }

  /** The name in paths, bodies and request types. */
  public String wireName() {
    return wireName;
  }

  /** Whether {@code POST /{cluster_id}/ops} accepts it as an {@code action}. */
  public boolean bulk() {
    return bulk;
  }

  /** Whether the action stops the node's process for a while. */
  public boolean stopsProcess() {
    return this == RESTART || this == STOP;
  }

  /**
   * The bulk action named {@code name}.
   *
   * @throws InvalidArgumentsException listing the actions if there is none
   */
  public static NodeAction bulkAction(String name) {
    for (NodeAction action : values()) {
      if (action.bulk && action.wireName.equals(name)) {
        return action;
      }
    }
    throw new InvalidArgumentsException(
        "action: "
            + name
            + " (expected one of: "
            + Arrays.stream(values())
                .filter(NodeAction::bulk)
                .map(NodeAction::wireName)
                .collect(Collectors.joining(", "))
            + ")");
  }

  public static NodeAction fromWireName(String name) {
    for (NodeAction action : values()) {
      if (action.wireName.equals(name)) {
        return action;
      }
    }
    throw new IllegalArgumentException("unknown node action " + name);
  }
}
