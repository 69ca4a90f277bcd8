package io.ferry.admin.ops;

import io.ferry.admin.errors.InvalidArgumentsException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What can be done to one node, by its OpsCenter name. */
public enum NodeAction {
  CLEANUP("cleanup", true),
  COMPACT("compact", true),
  FLUSH("flush", true),
  PERFORM_GC("perform_gc", true),
  REPAIR("repair", true),
  RESTART("restart", true),
  START("start", true),
  STOP("stop", true),
  DRAIN("drain", false),
  DECOMMISSION("decommission", false),
  MOVE("move", false);

  private final String wireName;
  private final boolean bulk;

  NodeAction(String wireName, boolean bulk) {
    this.wireName = wireName;
    this.bulk = bulk;
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
