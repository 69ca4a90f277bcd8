package io.ferry.admin.requests;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.errors.UnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of one cluster, in its {@code ferry} keyspace (created on first use, replicated to
 * up to three nodes per datacenter). A table on the cluster rather than a file of the instance:
 * Ferry instances are equal and keep nothing on their own disk, so any instance can answer for a
 * request another one started, and the history outlives every instance.
 *
 * <p>Writes use consistency ONE: the history must stay writable while a node of a small cluster
 * restarts under a rolling restart (a quorum of two replicas needs both). Reads use LOCAL_QUORUM,
 * so that a replica that missed a write while it was down (it has only a hint) cannot answer alone,
 * and ONE while no quorum is up. All are idempotent, so the driver retries them on another node
 * when one is draining or restarting.
 *
 * <p>Thread policy: blocking; call from a worker pool. Thread-safe.
 */
public final class RequestStore {

  public static final String KEYSPACE = "ferry";
  private static final Logger LOG = LoggerFactory.getLogger(RequestStore.class);
  private static final int MAX_REPLICAS_PER_DATACENTER = 3;
  private static final int ATTEMPTS = 4;
  private static final Duration RETRY_DELAY = Duration.ofSeconds(1);
  private static final Duration WRITE_ONCE_TIMEOUT = Duration.ofSeconds(3);

  private final ClusterSession cluster;
  private final Duration ttl;
  private volatile Statements statements;

  public RequestStore(ClusterSession cluster, Duration ttl) {
    this.cluster = cluster;
    this.ttl = ttl;
  }

  public ClusterSession cluster() {
    return cluster;
  }

  private record Statements(
      PreparedStatement insert,
      PreparedStatement insertByType,
      PreparedStatement select,
      PreparedStatement update,
      PreparedStatement cancel,
      PreparedStatement byType) {}

  /** The prepared statements, creating the keyspace and tables first if needed. */
  Statements statements() {
    Statements prepared = statements;
    if (prepared == null) {
      synchronized (this) {
        if (statements == null) {
          CqlSession session = cluster.session();
          createSchema(session, ttl);
          statements = prepare(session);
        }
        prepared = statements;
      }
    }
    return prepared;
  }

  /** The session to the cluster, once the {@code ferry} keyspace and its tables exist. */
  public CqlSession session() {
    statements();
    return cluster.session();
  }

  /**
   * What {@code make} makes from the session (prepared statements), made on first use, once the
   * {@code ferry} keyspace and its tables exist: for the stores that keep their tables there. Two
   * threads racing on the first use may both make it; preparing is idempotent and either serves.
   */
  public <T> Supplier<T> onFirstUse(Function<CqlSession, T> make) {
    return new Supplier<>() {
      private volatile T made;

      @Override
      public T get() {
        T value = made;
        if (value == null) {
          value = make.apply(session());
          made = value;
        }
        return value;
      }
    };
  }

  private static void createSchema(CqlSession session, Duration ttl) {
    Map<String, Long> nodesPerDatacenter =
        session.getMetadata().getNodes().values().stream()
            .filter(node -> node.getDatacenter() != null)
            .collect(
                Collectors.groupingBy(Node::getDatacenter, TreeMap::new, Collectors.counting()));
    String replication =
        nodesPerDatacenter.entrySet().stream()
            .map(
                entry ->
                    "'"
                        + entry.getKey()
                        + "': "
                        + Math.min(MAX_REPLICAS_PER_DATACENTER, entry.getValue()))
            .collect(Collectors.joining(", "));
    long ttlSeconds = ttl.toSeconds();
    List<String> schema =
        List.of(
            "CREATE KEYSPACE IF NOT EXISTS "
                + KEYSPACE
                + " WITH replication = {'class': 'NetworkTopologyStrategy', "
                + replication
                + "}",
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + ".requests (id timeuuid PRIMARY KEY, cluster_id text, type text, state text,"
                + " started timestamp, finished timestamp, message text, parent timeuuid,"
                + " children list<timeuuid>, plan text, cancel_requested boolean,"
                + " requested_by text) WITH default_time_to_live = "
                + ttlSeconds,
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + ".requests_by_type (cluster_id text, type text, id timeuuid, PRIMARY KEY"
                + " ((cluster_id, type), id)) WITH CLUSTERING ORDER BY (id DESC) AND"
                + " default_time_to_live = "
                + ttlSeconds,
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + ".leases (name text PRIMARY KEY, holder text, request_id timeuuid)",
            // The repair service: its switch and current cycle, and the cycles' subranges.
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + ".repair_service (cluster_id text PRIMARY KEY, enabled boolean,"
                + " time_to_completion bigint, cycle int, cycle_started timestamp, ring text,"
                + " updated timestamp)",
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + ".repair_segments (cycle int, id int, keyspace_name text, table_name text,"
                + " start_token bigint, end_token bigint, coordinator text, replicas list<text>,"
                + " size bigint, state text, attempts int, command int, started timestamp,"
                + " finished timestamp, not_before timestamp, last_error text,"
                + " PRIMARY KEY (cycle, id)) WITH default_time_to_live = "
                + ttlSeconds,
            // NodeSync: which tables it validates, and DSE's nodesync_status, column for column.
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + ".nodesync_tables (keyspace_name text, table_name text, enabled boolean,"
                + " incremental boolean, updated timestamp,"
                + " PRIMARY KEY (keyspace_name, table_name))",
            "CREATE TYPE IF NOT EXISTS "
                + KEYSPACE
                + ".nodesync_validation (started_at timestamp, outcome tinyint,"
                + " missing_nodes set<inet>)",
            "CREATE TABLE IF NOT EXISTS "
                + KEYSPACE
                + ".nodesync_status (keyspace_name text, table_name text, range_group blob,"
                + " start_token bigint, end_token bigint,"
                + " last_successful_validation frozen<nodesync_validation>,"
                + " last_unsuccessful_validation frozen<nodesync_validation>, locked_by inet,"
                + " PRIMARY KEY ((keyspace_name, table_name, range_group), start_token,"
                + " end_token)) WITH default_time_to_live = 2419200");
    for (String statement : schema) {
      session.execute(SimpleStatement.newInstance(statement).setTimeout(Duration.ofSeconds(30)));
    }
    session.checkSchemaAgreement();
    LOG.debug("The {} keyspace is ready ({})", KEYSPACE, replication);
  }

  private static Statements prepare(CqlSession session) {
    return new Statements(
        // Not cancel_requested: a request is written again whole as it runs (WriteThroughRequests),
        // which must not undo a cancel that another instance asked for meanwhile.
        session.prepare(
            "INSERT INTO "
                + KEYSPACE
                + ".requests (id, cluster_id, type, state, started, finished, message, parent,"
                + " children, plan, requested_by)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        session.prepare(
            "INSERT INTO "
                + KEYSPACE
                + ".requests_by_type (cluster_id, type, id) VALUES (?, ?, ?)"),
        session.prepare("SELECT * FROM " + KEYSPACE + ".requests WHERE id = ?"),
        session.prepare(
            "UPDATE "
                + KEYSPACE
                + ".requests SET state = ?, finished = ?, message = ? WHERE id = ?"),
        session.prepare(
            "UPDATE " + KEYSPACE + ".requests SET cancel_requested = true WHERE id = ?"),
        session.prepare(
            "SELECT id FROM "
                + KEYSPACE
                + ".requests_by_type WHERE cluster_id = ? AND type = ? LIMIT ?"));
  }

  /**
   * Whether the cluster has the request tables already (without creating them, unlike every other
   * method): a cluster no admin call ever concerned has no job to take over.
   */
  public boolean exists() {
    if (statements != null) {
      return true;
    }
    return cluster
        .session()
        .getMetadata()
        .getKeyspace(KEYSPACE)
        .flatMap(keyspace -> keyspace.getTable("requests"))
        .isPresent();
  }

  /**
   * The requests of cluster {@code clusterId} kept in this keyspace (which may be another
   * cluster's: see {@code AdminService}).
   */
  public RequestLog log(String clusterId) {
    RequestStore store = this;
    return new RequestLog() {
      @Override
      public void insert(AdminRequest request) {
        store.writeOnce(request);
      }

      @Override
      public Optional<AdminRequest> get(UUID id) {
        return store.get(id);
      }

      @Override
      public void update(UUID id, String state, Instant finished, String message) {
        store.update(id, state, finished, message);
      }

      @Override
      public void requestCancel(UUID id) {
        store.requestCancel(id);
      }

      @Override
      public boolean cancelRequested(UUID id) {
        return store.get(id).map(AdminRequest::cancelRequested).orElse(false);
      }

      @Override
      public List<UUID> latest(String type, int limit) {
        return store.latest(clusterId, type, limit);
      }

      @Override
      public boolean exists() {
        return store.exists();
      }
    };
  }

  /**
   * Records a request (again, whole), in one attempt that fails fast: its caller ({@link
   * WriteThroughRequests}) keeps it and tries again later.
   */
  private void writeOnce(AdminRequest request) {
    Statements s = statements();
    List<Statement<?>> writes = new ArrayList<>();
    writes.add(insertStatement(s, request));
    if (request.parent() == null) {
      writes.add(s.insertByType().bind(request.clusterId(), request.type(), request.id()));
    }
    for (Statement<?> write : writes) {
      try {
        cluster
            .session()
            .execute(
                write
                    .setConsistencyLevel(ConsistencyLevel.ONE)
                    .setIdempotent(true)
                    .setTimeout(WRITE_ONCE_TIMEOUT));
      } catch (DriverException e) {
        throw new UnavailableException(
            "cannot record request " + request.id() + " in cluster " + cluster.clusterId(), e);
      }
    }
  }

  private static Statement<?> insertStatement(Statements s, AdminRequest request) {
    return s.insert()
        .bind(
            request.id(),
            request.clusterId(),
            request.type(),
            request.state(),
            request.started(),
            request.finished(),
            request.message(),
            request.parent(),
            request.children(),
            request.plan(),
            request.requestedBy());
  }

  Optional<AdminRequest> get(UUID id) {
    Row row = read(statements().select().bind(id)).one();
    return Optional.ofNullable(row).map(RequestStore::request);
  }

  /** Records a request's state and message. */
  void update(UUID id, String state, Instant finished, String message) {
    write(statements().update().bind(state, finished, message, id));
  }

  /** Asks whichever instance runs the request to stop it before its next step. */
  void requestCancel(UUID id) {
    write(statements().cancel().bind(id));
  }

  /** Ids of the latest requests of a cluster and type, newest first. */
  List<UUID> latest(String clusterId, String type, int limit) {
    List<UUID> ids = new ArrayList<>();
    for (Row row : read(statements().byType().bind(clusterId, type, limit))) {
      ids.add(row.getUuid("id"));
    }
    return ids;
  }

  /**
   * Reads at LOCAL_QUORUM, which sees every write made at ONE while its replicas were up (a replica
   * that was down at the time has only a hint for it); at ONE when no quorum answers.
   */
  public ResultSet read(Statement<?> statement) {
    return execute(statement, ConsistencyLevel.LOCAL_QUORUM);
  }

  /** Writes at ONE, with the same retries as {@link #read}. */
  public void write(Statement<?> statement) {
    execute(statement, ConsistencyLevel.ONE);
  }

  /**
   * Runs an idempotent statement, trying again at ONE, up to {@value #ATTEMPTS} times a second
   * apart, while the cluster cannot answer: a node that drains or restarts (under an operation of
   * this very API) closes its connections, and the driver may not know yet that another node is up
   * again.
   */
  private ResultSet execute(Statement<?> statement, ConsistencyLevel consistency) {
    DriverException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        return cluster
            .session()
            .execute(
                statement
                    .setConsistencyLevel(attempt == 0 ? consistency : ConsistencyLevel.ONE)
                    .setIdempotent(true));
      } catch (QueryValidationException e) {
        throw e;
      } catch (DriverException e) {
        last = e;
        LOG.debug("request history statement failed (attempt {}): {}", attempt + 1, e.toString());
        if (attempt > 0) {
          sleep();
        }
      }
    }
    throw last;
  }

  private static void sleep() {
    try {
      Thread.sleep(RETRY_DELAY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static AdminRequest request(Row row) {
    return new AdminRequest(
        row.getUuid("id"),
        row.getString("cluster_id"),
        row.getString("type"),
        row.getString("state"),
        row.getInstant("started"),
        row.getInstant("finished"),
        row.getString("message"),
        row.getUuid("parent"),
        row.getList("children", UUID.class),
        row.getString("plan"),
        row.getBoolean("cancel_requested"),
        row.getString("requested_by"));
  }
}
