package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code restart}: {@link Stop}, then {@link Start}, as one operation. */
public final class Restart implements NodeOperation {

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
    if (arguments.path("drain_first").asBoolean(false)) {
      Drain.drain(node);
    }
    node.processes().stop(node.ip());
    boolean wait = arguments.path("wait_for_cassandra").asBoolean(true);
    node.processes().start(node.ip(), wait);
    return wait ? "restarted; answers CQL" : "restarted (start command done)";
  }
}
