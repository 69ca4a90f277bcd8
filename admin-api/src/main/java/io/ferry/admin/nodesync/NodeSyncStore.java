package io.ferry.admin.nodesync;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.data.UdtValue;
import com.datastax.oss.driver.api.core.type.UserDefinedType;
import io.ferry.admin.requests.RequestStore;
import io.ferry.admin.ring.TokenSpan;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * NodeSync's state in a cluster: which tables are enabled ({@code ferry.nodesync_tables}) and the
 * outcome of every segment's validations ({@code ferry.nodesync_status}, DSE's {@code
 * system_distributed.nodesync_status} column for column; DSE's own when {@code statusKeyspace} is
 * {@code system_distributed}).
 *
 * <p>Thread policy: blocking; worker threads. Thread-safe.
 */
final class NodeSyncStore implements NodeSyncLog {

  /** A validation as {@code nodesync_validation} records it (outcome codes of DSE's). */
  record Validation(Instant startedAt, int outcome, Set<String> missingNodes) {}

  /** A segment's row of {@code nodesync_status}. */
  record Status(TokenSpan span, Validation lastSuccessful, Validation lastUnsuccessful) {

    /** The latest validation, successful or not. */
    Instant lastAttempt() {
      Instant success = lastSuccessful == null ? null : lastSuccessful.startedAt();
      Instant failure = lastUnsuccessful == null ? null : lastUnsuccessful.startedAt();
      if (success == null) {
        return failure;
      }
      return failure == null || success.isAfter(failure) ? success : failure;
    }
  }

  private final RequestStore store;
  private final String statusKeyspace;
  private final Supplier<Statements> statements;

  private record Statements(
      PreparedStatement enabled,
      PreparedStatement set,
      PreparedStatement status,
      PreparedStatement success,
      PreparedStatement failure,
      PreparedStatement lock,
      UserDefinedType validation) {}

  NodeSyncStore(RequestStore store, String statusKeyspace) {
    this.store = store;
    this.statusKeyspace = statusKeyspace;
    this.statements = store.onFirstUse(this::prepare);
  }

  private Statements prepare(CqlSession session) {
    String ks = RequestStore.KEYSPACE;
    String status = statusKeyspace + ".nodesync_status";
    return new Statements(
        session.prepare(
            "SELECT keyspace_name, table_name, enabled FROM " + ks + ".nodesync_tables"),
        session.prepare(
            "INSERT INTO "
                + ks
                + ".nodesync_tables (keyspace_name, table_name, enabled, incremental,"
                + " updated) VALUES (?, ?, ?, false, ?)"),
        session.prepare(
            "SELECT start_token, end_token, last_successful_validation,"
                + " last_unsuccessful_validation FROM "
                + status
                + " WHERE keyspace_name = ? AND table_name = ? AND range_group = ?"),
        session.prepare(
            "UPDATE "
                + status
                + " SET last_successful_validation = ?, locked_by = null WHERE"
                + " keyspace_name = ? AND table_name = ? AND range_group = ? AND"
                + " start_token = ? AND end_token = ?"),
        session.prepare(
            "UPDATE "
                + status
                + " SET last_unsuccessful_validation = ?, locked_by = null WHERE"
                + " keyspace_name = ? AND table_name = ? AND range_group = ? AND"
                + " start_token = ? AND end_token = ?"),
        session.prepare(
            "UPDATE "
                + status
                + " USING TTL ? SET locked_by = ? WHERE keyspace_name = ? AND table_name"
                + " = ? AND range_group = ? AND start_token = ? AND end_token = ?"),
        session
            .getMetadata()
            .getKeyspace(statusKeyspace)
            .flatMap(keyspace -> keyspace.getUserDefinedType("nodesync_validation"))
            .orElse(null));
  }

  /** The tables ({@code ks.table}) NodeSync is enabled on. */
  @Override
  public Set<String> enabledTables() {
    Set<String> tables = new TreeSet<>();
    for (Row row : store.read(statements.get().enabled().bind())) {
      if (row.getBoolean("enabled")) {
        tables.add(row.getString("keyspace_name") + "." + row.getString("table_name"));
      }
    }
    return tables;
  }

  /** Records tables as enabled or disabled, in one batch. */
  @Override
  public void set(Map<String, Boolean> tables) {
    Instant now = Instant.now();
    List<com.datastax.oss.driver.api.core.cql.BatchableStatement<?>> writes = new ArrayList<>();
    tables.forEach(
        (table, enabled) -> {
          int dot = table.indexOf('.');
          writes.add(
              statements
                  .get()
                  .set()
                  .bind(table.substring(0, dot), table.substring(dot + 1), enabled, now));
        });
    if (!writes.isEmpty()) {
      store.write(BatchStatement.newInstance(DefaultBatchType.LOGGED).addAll(writes));
    }
  }

  /** The status rows of a table's segments, by their range (read by their range groups). */
  @Override
  public Map<TokenSpan, Status> statuses(String keyspace, String table, List<TokenSpan> segments) {
    Set<Byte> groups = new TreeSet<>();
    for (TokenSpan span : segments) {
      groups.add(rangeGroup(span.start()));
    }
    Map<TokenSpan, Status> statuses = new HashMap<>();
    for (byte group : groups) {
      for (Row row :
          store.read(
              statements
                  .get()
                  .status()
                  .bind(keyspace, table, ByteBuffer.wrap(new byte[] {group})))) {
        TokenSpan span = new TokenSpan(row.getLong("start_token"), row.getLong("end_token"));
        statuses.put(
            span,
            new Status(
                span,
                validation(row.getUdtValue("last_successful_validation")),
                validation(row.getUdtValue("last_unsuccessful_validation"))));
      }
    }
    return statuses;
  }

  /** Marks the segment as being validated by {@code node}, for at most {@code ttlSeconds}. */
  @Override
  public void lock(String keyspace, String table, TokenSpan span, String node, int ttlSeconds) {
    store.write(
        statements
            .get()
            .lock()
            .bind(
                ttlSeconds,
                inet(node),
                keyspace,
                table,
                ByteBuffer.wrap(new byte[] {rangeGroup(span.start())}),
                span.start(),
                span.end()));
  }

  /** Records a validation's outcome, as successful or unsuccessful by its code, and unlocks. */
  @Override
  public void record(String keyspace, String table, TokenSpan span, Validation validation) {
    Statements s = statements.get();
    Set<InetAddress> missing = new java.util.LinkedHashSet<>();
    validation.missingNodes().forEach(node -> missing.add(inet(node)));
    UdtValue value =
        s.validation()
            .newValue()
            .setInstant("started_at", validation.startedAt())
            .setByte("outcome", (byte) validation.outcome())
            .setSet("missing_nodes", missing, InetAddress.class);
    PreparedStatement statement =
        Outcome.successful(validation.outcome()) ? s.success() : s.failure();
    store.write(
        statement.bind(
            value,
            keyspace,
            table,
            ByteBuffer.wrap(new byte[] {rangeGroup(span.start())}),
            span.start(),
            span.end()));
  }

  /** DSE's {@code range_group}: the first byte of the segment's start token. */
  static byte rangeGroup(long startToken) {
    return (byte) (startToken >>> 56);
  }

  private static Validation validation(UdtValue value) {
    if (value == null) {
      return null;
    }
    Set<String> missing = new TreeSet<>();
    Set<InetAddress> nodes = value.getSet("missing_nodes", InetAddress.class);
    if (nodes != null) {
      nodes.forEach(node -> missing.add(node.getHostAddress()));
    }
    return new Validation(value.getInstant("started_at"), value.getByte("outcome"), missing);
  }

  private static InetAddress inet(String address) {
    try {
      return InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not a node address: " + address, e);
    }
  }
}
