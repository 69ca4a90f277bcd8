package io.ferry.admin.requests;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.ferry.admin.errors.UnavailableException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Leases in the {@code ferry.leases} table of a cluster, taken and renewed with lightweight
 * transactions (serial consistency: a quorum of the table's replicas).
 *
 * <p>Thread-safe.
 */
public final class CqlLeaseTable implements LeaseTable {

  private final RequestStore store;
  private final String prefix;
  private final Supplier<Statements> statements;

  private record Statements(
      PreparedStatement acquire,
      PreparedStatement renew,
      PreparedStatement release,
      PreparedStatement read) {}

  /**
   * @param prefix put before every lease name in the table, so that the leases of several clusters
   *     can share it (e.g. {@code origin/}); empty for the cluster's own
   */
  public CqlLeaseTable(RequestStore store, String prefix) {
    this.store = store;
    this.prefix = prefix;
    this.statements = store.onFirstUse(CqlLeaseTable::prepare);
  }

  private static Statements prepare(CqlSession session) {
    String table = RequestStore.KEYSPACE + ".leases";
    return new Statements(
        session.prepare(
            "INSERT INTO "
                + table
                + " (name, holder, request_id) VALUES (?, ?, ?) IF NOT EXISTS USING TTL ?"),
        session.prepare(
            "UPDATE "
                + table
                + " USING TTL ? SET holder = ?, request_id = ? WHERE name = ? IF holder = ?"
                + " AND request_id = ?"),
        session.prepare("DELETE FROM " + table + " WHERE name = ? IF holder = ?"),
        session.prepare("SELECT holder, request_id FROM " + table + " WHERE name = ?"));
  }

  @Override
  public Holder insertIfAbsent(String name, Holder holder, Duration ttl) {
    return holderUnlessApplied(
        statements
            .get()
            .acquire()
            .bind(prefix + name, holder.instance(), holder.requestId(), seconds(ttl)));
  }

  @Override
  public Holder renew(String name, Holder holder, Duration ttl) {
    return holderUnlessApplied(
        statements
            .get()
            .renew()
            .bind(
                seconds(ttl),
                holder.instance(),
                holder.requestId(),
                prefix + name,
                holder.instance(),
                holder.requestId()));
  }

  @Override
  public void delete(String name, String instance) {
    execute(statements.get().release().bind(prefix + name, instance));
  }

  @Override
  public Holder read(String name) {
    Row row = execute(statements.get().read().bind(prefix + name)).one();
    return row == null ? null : holder(row);
  }

  /** Runs a lightweight transaction: {@code null} when applied, else who holds the lease. */
  private Holder holderUnlessApplied(BoundStatement transaction) {
    ResultSet result = execute(transaction);
    return result.wasApplied() ? null : holder(result.one());
  }

  /**
   * Who a row names; a conditional update of a row that expired answers {@code [applied]} alone.
   */
  private static Holder holder(Row row) {
    if (row == null || !row.getColumnDefinitions().contains("holder")) {
      return new Holder(null, null);
    }
    return new Holder(row.getString("holder"), row.getUuid("request_id"));
  }

  private static int seconds(Duration ttl) {
    return (int) Math.max(1, ttl.toSeconds());
  }

  private ResultSet execute(BoundStatement statement) {
    try {
      return store.session().execute(statement);
    } catch (DriverException e) {
      throw new UnavailableException(
          "the lease table of cluster "
              + store.cluster().clusterId()
              + " cannot decide: "
              + e.getMessage(),
          e);
    }
  }
}
