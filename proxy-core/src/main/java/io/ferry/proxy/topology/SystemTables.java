package io.ferry.proxy.topology;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.DefaultRows;
import com.datastax.oss.protocol.internal.response.result.RawType;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.cluster.Host;
import io.ferry.proxy.cluster.SystemRows;
import io.ferry.proxy.cql.SelectClause;
import io.ferry.proxy.cql.SelectClause.Selector;
import io.ferry.proxy.message.MessageCodec;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;

/**
 * Answers {@code SELECT}s on {@code system.local}, {@code system.peers} and {@code system.peers_v2}
 * in place of the cluster: this instance is {@code system.local}, the other Ferry instances are
 * {@code system.peers}, each backed by a real local-datacenter node whose data center, versions and
 * schema version it reports.
 *
 * <p>The columns are those of the real cluster's tables, so drivers find what they expect from that
 * Cassandra version. {@code system.peers_v2} answers "unconfigured table", which makes drivers fall
 * back to {@code system.peers}. WHERE clauses are ignored, as in the ZDM Proxy.
 *
 * <p>Thread-safe.
 */
public final class SystemTables {

  public static final String LOCAL = "local";
  public static final String PEERS = "peers";
  public static final String PEERS_V2 = "peers_v2";

  private static final String SYSTEM = "system";
  private static final String MURMUR3 = "org.apache.cassandra.dht.Murmur3Partitioner";
  private static final String RACK = "rack0";
  private static final Set<String> ADDRESS_COLUMNS =
      Set.of(
          "peer",
          "preferred_ip",
          "rpc_address",
          "broadcast_address",
          "listen_address",
          "native_address",
          "native_transport_address");
  private static final Set<String> PORT_COLUMNS =
      Set.of("rpc_port", "native_port", "native_transport_port", "native_transport_port_ssl");
  private static final Set<String> BACKING_HOST_COLUMNS =
      Set.of(
          "data_center",
          "release_version",
          "schema_version",
          "dse_version",
          "graph",
          "workload",
          "workloads",
          "server_id");

  private final VirtualTopology topology;
  private final PreparedSystemQueries prepared = new PreparedSystemQueries(this);

  public SystemTables(VirtualTopology topology) {
    this.topology = topology;
  }

  /** The statements on these tables that Ferry prepared itself. */
  public PreparedSystemQueries prepared() {
    return prepared;
  }

  /** Whether Ferry answers this table itself. */
  public static boolean isIntercepted(String keyspace, String table) {
    return SYSTEM.equals(keyspace)
        && (LOCAL.equals(table) || PEERS.equals(table) || PEERS_V2.equals(table));
  }

  /**
   * The answer to a query on an intercepted table: ROWS, or an ERROR a driver understands.
   *
   * @param cluster the data of the cluster system queries go to, or {@code null} if not known yet
   */
  public Message answer(String table, String query, ClusterTopology cluster) {
    if (PEERS_V2.equals(table)) {
      return MessageCodec.invalid("unconfigured table peers_v2");
    }
    if (cluster == null) {
      return MessageCodec.serverError("Ferry has no connection to the cluster's system tables yet");
    }
    SelectClause clause;
    try {
      clause = SelectClause.parse(query);
    } catch (IllegalArgumentException e) {
      return MessageCodec.invalid(
          "Ferry answers system." + table + " itself and " + e.getMessage());
    }
    boolean local = LOCAL.equals(table);
    SystemRows real = local ? cluster.local() : cluster.peers();
    List<Map<String, ByteBuffer>> rows = new ArrayList<>();
    if (local) {
      rows.add(virtualRow(real, topology.index(), cluster, cluster.local().rowByName(0)));
    } else {
      for (int instance = 0; instance < topology.size(); instance++) {
        if (instance != topology.index()) {
          rows.add(virtualRow(real, instance, cluster, Map.of()));
        }
      }
    }
    return select(table, clause, real.columns(), rows);
  }

  private Message select(
      String table,
      SelectClause clause,
      List<ColumnSpec> realColumns,
      List<Map<String, ByteBuffer>> rows) {
    List<ColumnSpec> specs = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    for (Selector selector : clause.selectors()) {
      if (selector instanceof Selector.Star) {
        for (ColumnSpec column : realColumns) {
          specs.add(spec(table, column.name, specs.size(), column.type));
          sources.add(column.name);
        }
      } else if (selector instanceof Selector.Column column) {
        ColumnSpec real = find(realColumns, column.name());
        if (real == null) {
          return MessageCodec.invalid(
              "Undefined column name " + column.name() + " in table system." + table);
        }
        String name = column.alias() != null ? column.alias() : column.name();
        specs.add(spec(table, name, specs.size(), real.type));
        sources.add(column.name());
      } else if (selector instanceof Selector.Count count) {
        String name = count.alias() != null ? count.alias() : "count";
        specs.add(
            spec(
                table,
                name,
                specs.size(),
                RawType.PRIMITIVES.get(ProtocolConstants.DataType.BIGINT)));
        sources.add(null);
      }
    }
    boolean aggregate = sources.contains(null);
    Queue<List<ByteBuffer>> data = new ArrayDeque<>();
    if (aggregate) {
      // An aggregate makes one row; plain columns beside it take the first row's values, as in
      // Cassandra.
      Map<String, ByteBuffer> first = rows.isEmpty() ? Map.of() : rows.get(0);
      List<ByteBuffer> row = new ArrayList<>();
      for (String source : sources) {
        row.add(
            source == null ? ByteBuffer.allocate(8).putLong(0, rows.size()) : first.get(source));
      }
      data.add(row);
    } else {
      for (Map<String, ByteBuffer> values : rows) {
        List<ByteBuffer> row = new ArrayList<>(sources.size());
        for (String source : sources) {
          ByteBuffer value = values.get(source);
          row.add(value == null ? null : value.duplicate());
        }
        data.add(row);
      }
    }
    return new DefaultRows(new RowsMetadata(specs, null, null, null), data);
  }

  /**
   * The row of a virtual instance: real columns, with addresses, ports, host id, tokens, rack and
   * partitioner replaced, and the backing node's data center and versions.
   */
  private Map<String, ByteBuffer> virtualRow(
      SystemRows real, int instance, ClusterTopology cluster, Map<String, ByteBuffer> base) {
    List<Host> hosts = cluster.localHosts();
    Host backing = hosts.get(instance % hosts.size());
    Map<String, ByteBuffer> backingRow = backing.row();
    Map<String, ByteBuffer> row = new java.util.HashMap<>();
    for (ColumnSpec column : real.columns()) {
      String name = column.name;
      ByteBuffer value;
      if (ADDRESS_COLUMNS.contains(name)) {
        value = inet(topology.address(instance));
      } else if (PORT_COLUMNS.contains(name)) {
        value = ByteBuffer.allocate(4).putInt(0, topology.port());
      } else if (name.equals("host_id")) {
        value = uuid(topology.hostId(instance));
      } else if (name.equals("tokens")) {
        value = textSet(topology.tokens(instance));
      } else if (name.equals("rack")) {
        value = text(RACK);
      } else if (name.equals("partitioner")) {
        value = text(MURMUR3);
      } else if (name.equals("native_protocol_version")) {
        // The backing node's own, as drivers use it to pick their first version to try.
        value = backingRow.containsKey(name) ? backingRow.get(name) : text("4");
      } else if (name.equals("truncated_at")) {
        value = null;
      } else if (BACKING_HOST_COLUMNS.contains(name) && backingRow.containsKey(name)) {
        value = backingRow.get(name);
      } else if (base.containsKey(name)) {
        value = base.get(name);
      } else {
        value = backingRow.get(name);
      }
      row.put(name, value);
    }
    return row;
  }

  private static ColumnSpec find(List<ColumnSpec> columns, String name) {
    for (ColumnSpec column : columns) {
      if (column.name.equals(name)) {
        return column;
      }
    }
    return null;
  }

  private static ColumnSpec spec(String table, String name, int index, RawType type) {
    return new ColumnSpec(SYSTEM, table, name, index, type);
  }

  private static ByteBuffer inet(InetAddress address) {
    return ByteBuffer.wrap(address.getAddress());
  }

  private static ByteBuffer uuid(UUID uuid) {
    return ByteBuffer.allocate(16)
        .putLong(0, uuid.getMostSignificantBits())
        .putLong(8, uuid.getLeastSignificantBits());
  }

  private static ByteBuffer text(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  private static ByteBuffer textSet(Set<String> values) {
    List<byte[]> encoded = values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
    int size = 4 + encoded.stream().mapToInt(bytes -> 4 + bytes.length).sum();
    ByteBuffer buffer = ByteBuffer.allocate(size);
    buffer.putInt(encoded.size());
    for (byte[] bytes : encoded) {
      buffer.putInt(bytes.length).put(bytes);
    }
    return buffer.flip();
  }
}
