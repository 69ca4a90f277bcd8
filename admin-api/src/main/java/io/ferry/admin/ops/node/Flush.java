package io.ferry.admin.ops.node;

import java.util.List;

/** {@code flush}: the keyspace's memtables are written to disk. */
public final class Flush extends KeyspaceOperation {

  public Flush() {
    super(false, "flushed");
  }

  @Override
  void run(NodeTarget node, String keyspace, List<String> tables) throws Exception {
    node.agent().flush(node.ip(), keyspace, tables);
  }
}
