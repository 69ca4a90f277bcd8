package io.ferry.admin.nodesync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.errors.LimitExceededException;
import io.ferry.admin.ops.OperationArguments;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The body of {@code POST /{cluster_id}/nodesync} resolved to what happens to each table: its
 * {@code incremental}, {@code enable} and {@code disable} lists, with {@code ks.*} (every eligible
 * table of a keyspace) and {@code *} (every eligible table) expanded, and the precedence
 * incremental &gt; enable &gt; disable for a table named more than once. A table that does not
 * exist, is a system table or has one replica is an error naming it; so is a request for more
 * tables than {@code nodesync.max-request-tables}, with OpsCenter's exact error.
 *
 * <p>Pure.
 */
final class TableSelection {

  /** What a request does to a table. */
  enum Action {
    DISABLE,
    ENABLE,
    INCREMENTAL
  }

  private static final List<String> SECTIONS = List.of("disable", "enable", "incremental");

  private TableSelection() {}

  static Map<String, Action> resolve(JsonNode body, TableCatalog catalog, int maxTables) {
    ObjectNode given = OperationArguments.object(body, Set.copyOf(SECTIONS));
    Map<String, Action> actions = new TreeMap<>();
    // Lowest precedence first: a later section overrides an earlier one.
    for (String section : SECTIONS) {
      Action action = Action.valueOf(section.toUpperCase(java.util.Locale.ROOT));
      for (String selector : OperationArguments.stringList(given.get(section), section)) {
        for (String table : expand(selector.trim(), section, catalog)) {
          actions.put(table, action);
        }
      }
    }
    if (actions.isEmpty() && !given.fieldNames().hasNext()) {
      throw new InvalidArgumentsException(
          "body: expected at least one of incremental, enable, disable (lists of keyspace.table,"
              + " keyspace.* or *)");
    }
    if (actions.size() > maxTables) {
      throw new LimitExceededException(
          "Please select fewer tables and try again. To maximize performance, OpsCenter has been"
              + " configured to limit the number of concurrent updates to "
              + maxTables
              + " tables. The total number of tables to process in this request, after expanding"
              + " wild card selectors, was "
              + actions.size()
              + ".");
    }
    return actions;
  }

  private static Set<String> expand(String selector, String section, TableCatalog catalog) {
    TreeSet<String> eligible = catalog.tables(TableCatalog.Kind.ELIGIBLE);
    if (selector.equals("*")) {
      return eligible;
    }
    int dot = selector.indexOf('.');
    if (dot <= 0 || dot == selector.length() - 1) {
      throw new InvalidArgumentsException(
          section
              + ": "
              + selector
              + " is not a table selector (expected keyspace.table, keyspace.* or *)");
    }
    String keyspace = selector.substring(0, dot);
    if (!catalog.keyspaceExists(keyspace)) {
      throw new InvalidArgumentsException(
          section + ": keyspace " + keyspace + " (in " + selector + ") does not exist");
    }
    if (selector.endsWith(".*")) {
      Set<String> tables = new TreeSet<>();
      for (String table : eligible) {
        if (table.startsWith(keyspace + ".")) {
          tables.add(table);
        }
      }
      return tables;
    }
    if (!catalog.exists(selector)) {
      throw new InvalidArgumentsException(section + ": table " + selector + " does not exist");
    }
    return switch (catalog.kind(selector)) {
      case SYSTEM ->
          throw new InvalidArgumentsException(
              section + ": " + selector + " is a system table, which NodeSync does not validate");
      case RF1 ->
          throw new InvalidArgumentsException(
              section
                  + ": "
                  + selector
                  + " is in a keyspace with a single replica: NodeSync has nothing to compare");
      case ELIGIBLE -> Set.of(selector);
    };
  }
}
