package io.ferry.admin.repair;

import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.ring.TableSizes;
import io.ferry.admin.ring.TokenRing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The repair targets of a cluster as the Java driver sees it: its token map, schema and the nodes'
 * size estimates.
 *
 * <p>Thread-safe.
 */
final class DriverRepairTargets implements RepairTargets {

  private final ClusterSession cql;

  DriverRepairTargets(ClusterSession cql) {
    this.cql = cql;
  }

  @Override
  public String ringFingerprint() {
    return TokenRing.of(cql).fingerprint();
  }

  @Override
  public int nodeCount() {
    return TokenRing.of(cql).nodeCount();
  }

  @Override
  public List<CyclePlanner.TableRanges> tables(Set<String> excludedKeyspaces) {
    TokenRing ring = TokenRing.of(cql);
    Map<String, KeyspaceMetadata> keyspaces = new TreeMap<>();
    cql.session()
        .getMetadata()
        .getKeyspaces()
        .forEach((id, keyspace) -> keyspaces.put(id.asInternal(), keyspace));
    List<CyclePlanner.TableRanges> tables = new ArrayList<>();
    for (Map.Entry<String, KeyspaceMetadata> entry : keyspaces.entrySet()) {
      String keyspace = entry.getKey();
      if (keyspace.startsWith("system")
          || excludedKeyspaces.contains(keyspace)
          || entry.getValue().isVirtual()) {
        continue;
      }
      var ranges = ring.ranges(keyspace);
      List<String> names = new ArrayList<>();
      entry.getValue().getTables().keySet().forEach(id -> names.add(id.asInternal()));
      names.sort(null);
      for (String table : names) {
        tables.add(
            new CyclePlanner.TableRanges(
                keyspace, table, TableSizes.bytes(cql, keyspace, table), ranges));
      }
    }
    return tables;
  }
}
