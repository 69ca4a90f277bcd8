package io.ferry.benchmarks.load;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's tables and statements, one place for the client that sends them and the
 * in-process responder that answers them. Each {@link RowSize} has its own key-value table.
 */
final class Schema {

  static final String KEYSPACE = "ferry_bench";

  /** Rows of an unlogged batch, all in one partition. */
  static final int BATCH_ROWS = 5;

  static final String CREATE_KEYSPACE =
      "CREATE KEYSPACE IF NOT EXISTS "
          + KEYSPACE
          + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}";

  static final String EVENTS = KEYSPACE + ".events";

  static final String INSERT_EVENT = "INSERT INTO " + EVENTS + " (k, c, v) VALUES (?, ?, ?)";

  private Schema() {}

  static List<String> createTables() {
    List<String> statements = new ArrayList<>();
    for (RowSize size : RowSize.values()) {
      statements.add(
          "CREATE TABLE IF NOT EXISTS " + size.table() + " (k bigint PRIMARY KEY, v blob)");
    }
    statements.add(
        "CREATE TABLE IF NOT EXISTS " + EVENTS + " (k bigint, c int, v blob, PRIMARY KEY (k, c))");
    return statements;
  }

  static String select(RowSize size) {
    return "SELECT v FROM " + size.table() + " WHERE k = ?";
  }

  static String insert(RowSize size) {
    return "INSERT INTO " + size.table() + " (k, v) VALUES (?, ?)";
  }

  /** The simple-statement write without its values: the key and the value's hex digits follow. */
  static String simpleInsertPrefix(RowSize size) {
    return "INSERT INTO " + size.table() + " (k, v) VALUES (";
  }
}
