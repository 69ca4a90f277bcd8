package io.ferry.admin.ops.node;

import java.util.List;

/**
 * {@code cleanup}: the node drops the data it no longer owns; without a keyspace, from every
 * replicated keyspace (a LocalStrategy keyspace has nothing to clean up).
 */
public final class Cleanup extends KeyspaceOperation {

  public Cleanup() {
    super(true, "cleaned up");
  }

  @Override
  void run(NodeTarget node, String keyspace, List<String> tables) throws Exception {
    int status = node.agent().cleanup(node.ip(), keyspace, tables);
    if (status != 0) {
      throw new IllegalStateException(
          "cleanup of "
              + keyspace
              + (status == 1 ? " was aborted" : " could not be cancelled")
              + " by the node");
    }
  }
}
