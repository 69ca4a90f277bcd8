package io.ferry.admin.nodesync;

import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.requests.RequestStore;
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

  /** The catalog of the cluster's current schema. */
  public static TableCatalog of(ClusterSession cluster) {
    java.util.List<Keyspace> keyspaces = new java.util.ArrayList<>();
    Map<String, Integer> grace = new TreeMap<>();
    for (KeyspaceMetadata metadata : cluster.session().getMetadata().getKeyspaces().values()) {
      java.util.List<String> names = new java.util.ArrayList<>();
      String keyspace = metadata.getName().asInternal();
      metadata
          .getTables()
          .forEach(
              (id, table) -> {
                names.add(id.asInternal());
                Object value =
                    table
                        .getOptions()
                        .get(
                            com.datastax.oss.driver.api.core.CqlIdentifier.fromCql(
                                "gc_grace_seconds"));
                if (value instanceof Integer seconds) {
                  grace.put(keyspace + "." + id.asInternal(), seconds);
                }
              });
      keyspaces.add(new Keyspace(keyspace, metadata.getReplication(), metadata.isVirtual(), names));
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
