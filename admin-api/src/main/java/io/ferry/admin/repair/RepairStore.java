package io.ferry.admin.repair;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.ferry.admin.requests.RequestStore;
import io.ferry.admin.ring.TokenSpan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The repair service's state in the cluster's {@code ferry} keyspace: {@code repair_service} (one
 * row: on or off, {@code time_to_completion}, the current cycle) and {@code repair_segments} (one
 * partition per cycle, a row per subrange).
 *
 * <p>Thread policy: blocking; worker threads. Thread-safe.
 */
final class RepairStore implements RepairLog {

  /** The service's row. {@code cycle} is 0 before the first cycle. */
  record ServiceState(
      boolean enabled, long timeToCompletion, int cycle, Instant cycleStarted, String ring) {}

  private final RequestStore store;
  private final String clusterId;
  private final Supplier<Statements> statements;

  private record Statements(
      PreparedStatement service,
      PreparedStatement setEnabled,
      PreparedStatement startCycle,
      PreparedStatement clearCycle,
      PreparedStatement insert,
      PreparedStatement segments) {}

  RepairStore(RequestStore store, String clusterId) {
    this.store = store;
    this.clusterId = clusterId;
    this.statements = store.onFirstUse(RepairStore::prepare);
  }

  private static Statements prepare(CqlSession session) {
    String ks = RequestStore.KEYSPACE;
    return new Statements(
        session.prepare("SELECT * FROM " + ks + ".repair_service WHERE cluster_id = ?"),
        session.prepare(
            "UPDATE "
                + ks
                + ".repair_service SET enabled = ?, time_to_completion = ?, updated = ?"
                + " WHERE cluster_id = ?"),
        session.prepare(
            "UPDATE "
                + ks
                + ".repair_service SET cycle = ?, cycle_started = ?, ring = ?"
                + " WHERE cluster_id = ?"),
        session.prepare("DELETE FROM " + ks + ".repair_segments WHERE cycle = ?"),
        session.prepare(
            "INSERT INTO "
                + ks
                + ".repair_segments (cycle, id, keyspace_name, table_name, start_token,"
                + " end_token, coordinator, replicas, size, state, attempts, command,"
                + " started, finished, not_before, last_error)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        session.prepare("SELECT * FROM " + ks + ".repair_segments WHERE cycle = ?"));
  }

  @Override
  public ServiceState service() {
    Row row = store.read(statements.get().service().bind(clusterId)).one();
    if (row == null) {
      return new ServiceState(false, 0, 0, null, "");
    }
    return new ServiceState(
        row.getBoolean("enabled"),
        row.isNull("time_to_completion") ? 0 : row.getLong("time_to_completion"),
        row.isNull("cycle") ? 0 : row.getInt("cycle"),
        row.getInstant("cycle_started"),
        row.isNull("ring") ? "" : row.getString("ring"));
  }

  @Override
  public void setEnabled(boolean enabled, long timeToCompletion) {
    store.write(
        statements.get().setEnabled().bind(enabled, timeToCompletion, Instant.now(), clusterId));
  }

  /** Records a new cycle and its subranges (replacing any left over from an interrupted start). */
  @Override
  public void startCycle(int cycle, Instant started, String ring, List<RepairSegment> segments) {
    Statements s = statements.get();
    store.write(s.clearCycle().bind(cycle));
    for (RepairSegment segment : segments) {
      save(segment);
    }
    store.write(s.startCycle().bind(cycle, started, ring, clusterId));
  }

  @Override
  public void save(RepairSegment segment) {
    store.write(
        statements
            .get()
            .insert()
            .bind(
                segment.cycle(),
                segment.id(),
                segment.keyspace(),
                segment.table(),
                segment.span().start(),
                segment.span().end(),
                segment.coordinator(),
                segment.replicas(),
                segment.size(),
                segment.state().name().toLowerCase(Locale.ROOT),
                segment.attempts(),
                segment.command(),
                segment.started(),
                segment.finished(),
                segment.notBefore(),
                segment.lastError()));
  }

  /** The cycle's subranges, by id. */
  @Override
  public List<RepairSegment> segments(int cycle) {
    List<RepairSegment> segments = new ArrayList<>();
    for (Row row : store.read(statements.get().segments().bind(cycle))) {
      segments.add(
          new RepairSegment(
              row.getInt("cycle"),
              row.getInt("id"),
              row.getString("keyspace_name"),
              row.getString("table_name"),
              new TokenSpan(row.getLong("start_token"), row.getLong("end_token")),
              row.getString("coordinator"),
              row.getList("replicas", String.class),
              row.getLong("size"),
              RepairSegment.State.valueOf(row.getString("state").toUpperCase(Locale.ROOT)),
              row.getInt("attempts"),
              row.getInt("command"),
              row.getInstant("started"),
              row.getInstant("finished"),
              row.getInstant("not_before"),
              row.getString("last_error")));
    }
    return segments;
  }
}
