package io.ferry.admin.ops.node;

import java.util.List;

/** {@code compact}: a major compaction of the keyspace's tables. */
public final class Compact extends KeyspaceOperation {

  public Compact() {
    super(false, "compacted");
  }

  @Override
  void run(NodeTarget node, String keyspace, List<String> tables) throws Exception {
    node.agent().compact(node.ip(), keyspace, tables);
  }
}
