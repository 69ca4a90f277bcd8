package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code restart}: {@link Stop} (with its {@code drain_first}), then {@link Start}. */
public final class Restart implements NodeOperation {

  private final Stop stop = new Stop();
  private final Start start = new Start();

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
    stop.run(node, arguments);
    start.run(node, arguments);
    return arguments.path("wait_for_cassandra").asBoolean(true)
        ? "restarted; answers CQL"
        : "restarted (start command done)";
  }
}
