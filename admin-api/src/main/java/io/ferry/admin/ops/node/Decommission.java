package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code decommission}: the node streams its data away and leaves the ring. */
public final class Decommission implements NodeOperation {

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
    node.agent().decommission(node.ip());
    String mode = node.agent().operationMode(node.ip());
    return "decommissioned (mode " + mode + "); the process still runs: stop it to finish";
  }
}
