package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code start}: the node's start command, then (with {@code wait_for_cassandra}) its CQL. */
public final class Start implements NodeOperation {

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
    boolean wait = arguments.path("wait_for_cassandra").asBoolean(true);
    node.processes().start(node.ip(), wait);
    return wait ? "started; answers CQL" : "start command done";
  }
}
