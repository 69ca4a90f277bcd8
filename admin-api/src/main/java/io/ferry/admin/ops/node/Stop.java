package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code stop}: the node's stop command (after a drain with {@code drain_first}). */
public final class Stop implements NodeOperation {

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
    if (arguments.path("drain_first").asBoolean(false)) {
      Drain.drain(node);
    }
    node.processes().stop(node.ip());
    return "stopped";
  }
}
