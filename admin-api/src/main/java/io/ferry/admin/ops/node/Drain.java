package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code drain}: the node flushes and stops taking writes and connections. */
public final class Drain implements NodeOperation {

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
    drain(node);
    return "drained";
  }

  /** Drains the node, as {@code drain_first} of a stop or restart does too. */
  static void drain(NodeTarget node) throws Exception {
    if (!node.agent().drain(node.ip())) {
      throw new IllegalStateException("node " + node.ip() + " did not report itself drained");
    }
  }
}
