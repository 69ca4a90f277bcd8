package io.ferry.admin.nodesync;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.Row;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.requests.RequestStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cluster's tables ({@code keyspace.table}) as NodeSync sees them: eligible, or ineligible as
 * system tables (system keyspaces, virtual and local ones, Ferry's own {@code ferry}) or as tables
 * of keyspaces with one replica (nothing to compare with).
 *
 * <p>Immutable.
 */
public final class TableCatalog {

  /** What NodeSync may do with a table. */
  public enum Kind {
    ELIGIBLE,
    SYSTEM,
    RF1
  }

  /** A keyspace as the catalog needs it. */
  public record Keyspace(
      String name, Map<String, String> replication, boolean virtual, Iterable<String> tables) {}

  private final Map<String, Kind> tables = new TreeMap<>();
  private final java.util.Set<String> keyspaceNames = new TreeSet<>();
  private final Map<String, Integer> gcGraceSeconds = new TreeMap<>();

  TableCatalog(Iterable<Keyspace> keyspaces) {
    for (Keyspace keyspace : keyspaces) {
      Kind kind = kind(keyspace);
      keyspaceNames.add(keyspace.name());
      for (String table : keyspace.tables()) {
        tables.put(keyspace.name() + "." + table, kind);
      }
    }
  }

  /**
   * The catalog of the cluster's current schema, read from {@code system_schema} (the driver's
   * metadata leaves system keyspaces out) and {@code system_virtual_schema}.
   */
  public static TableCatalog of(ClusterSession cluster) {
    CqlSession session = cluster.session();
    Map<String, Map<String, String>> replication = new TreeMap<>();
    for (Row row :
        session.execute("SELECT keyspace_name, replication FROM system_schema.keyspaces")) {
      replication.put(
          row.getString("keyspace_name"), row.getMap("replication", String.class, String.class));
    }
    Map<String, List<String>> tables = new TreeMap<>();
    Map<String, Integer> grace = new TreeMap<>();
    for (Row row :
        session.execute(
            "SELECT keyspace_name, table_name, gc_grace_seconds FROM system_schema.tables")) {
      String keyspace = row.getString("keyspace_name");
      String table = row.getString("table_name");
      tables.computeIfAbsent(keyspace, ignored -> new ArrayList<>()).add(table);
      grace.put(keyspace + "." + table, row.getInt("gc_grace_seconds"));
    }
    List<Keyspace> keyspaces = new ArrayList<>();
    replication.forEach(
        (name, options) ->
            keyspaces.add(
                new Keyspace(name, options, false, tables.getOrDefault(name, List.of()))));
    try {
      Map<String, List<String>> virtual = new TreeMap<>();
      for (Row row :
          session.execute("SELECT keyspace_name, table_name FROM system_virtual_schema.tables")) {
        virtual
            .computeIfAbsent(row.getString("keyspace_name"), ignored -> new ArrayList<>())
            .add(row.getString("table_name"));
      }
      virtual.forEach((name, names) -> keyspaces.add(new Keyspace(name, Map.of(), true, names)));
    } catch (DriverException e) {
      // Before Cassandra 4.0: no virtual tables.
    }
    TableCatalog catalog = new TableCatalog(keyspaces);
    catalog.gcGraceSeconds.putAll(grace);
    return catalog;
  }

  private static Kind kind(Keyspace keyspace) {
    String strategy = keyspace.replication().getOrDefault("class", "");
    if (keyspace.virtual()
        || keyspace.name().startsWith("system")
        || keyspace.name().equals(RequestStore.KEYSPACE)
        || strategy.endsWith("LocalStrategy")) {
      return Kind.SYSTEM;
    }
    int replicas = 0;
    for (Map.Entry<String, String> option : keyspace.replication().entrySet()) {
      boolean counts =
          strategy.endsWith("SimpleStrategy")
              ? option.getKey().equals("replication_factor")
              : !option.getKey().equals("class");
      if (counts) {
        try {
          // "3" or, with transient replicas, "3/1".
          replicas += Integer.parseInt(option.getValue().split("/")[0].trim());
        } catch (NumberFormatException e) {
          // not a replica count
        }
      }
    }
    return replicas <= 1 ? Kind.RF1 : Kind.ELIGIBLE;
  }

  public boolean exists(String table) {
    return tables.containsKey(table);
  }

  public boolean keyspaceExists(String keyspace) {
    return keyspaceNames.contains(keyspace);
  }

  public Kind kind(String table) {
    return tables.get(table);
  }

  /** Tables of one kind, sorted. */
  public TreeSet<String> tables(Kind kind) {
    TreeSet<String> names = new TreeSet<>();
    tables.forEach(
        (name, tableKind) -> {
          if (tableKind == kind) {
            names.add(name);
          }
        });
    return names;
  }

  /**
   * The table's NodeSync deadline: {@code max(gc_grace_seconds, 4 days)}, DSE's default for a table
   * without {@code deadline_target_sec}.
   */
  public long deadlineSeconds(String table) {
    return Math.max(gcGraceSeconds.getOrDefault(table, 864_000), 4 * 24 * 3600);
  }
}
