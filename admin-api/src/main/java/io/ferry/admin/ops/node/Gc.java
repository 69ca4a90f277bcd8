package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code perform_gc}: a garbage collection of the node's JVM. */
public final class Gc implements NodeOperation {

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
    node.agent().gc(node.ip());
    return "garbage collection done";
  }
}
