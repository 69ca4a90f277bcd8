package io.ferry.benchmarks.load;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The application side of a scenario: driver sessions and the benchmark's prepared statements.
 * Reads go to one session; writes go to every write session and complete when all of them answered,
 * which is what client-side dual writes are.
 *
 * <p>Thread-safe: requests are issued from the load generator's thread and the driver's I/O
 * threads.
 */
final class BenchClient implements AutoCloseable {

  static final String DATACENTER = "datacenter1";

  private final List<CqlSession> sessions;
  private final EnumMap<RowSize, Statements> reads = new EnumMap<>(RowSize.class);
  private final EnumMap<RowSize, List<Statements>> writes = new EnumMap<>(RowSize.class);
  private final int keys;

  /** One session's prepared statements for one row size. */
  private record Statements(
      CqlSession session,
      PreparedStatement select,
      PreparedStatement insert,
      PreparedStatement event) {
    static Statements prepare(CqlSession session, RowSize size) {
      return new Statements(
          session,
          session.prepare(Schema.select(size)),
          session.prepare(Schema.insert(size)),
          session.prepare(Schema.INSERT_EVENT));
    }
  }

  /**
   * @param readFrom the node reads go to
   * @param writeTo the nodes every write goes to (two for client-side dual writes)
   * @param keys reads and writes pick keys in [0, keys)
   */
  BenchClient(InetSocketAddress readFrom, List<InetSocketAddress> writeTo, int keys) {
    this(readFrom, writeTo, keys, 1);
  }

  /**
   * @param connections connections each session opens to its node (the soak's many clients)
   */
  BenchClient(
      InetSocketAddress readFrom, List<InetSocketAddress> writeTo, int keys, int connections) {
    this.keys = keys;
    List<CqlSession> opened = new ArrayList<>();
    CqlSession reader = null;
    List<CqlSession> writers = new ArrayList<>();
    for (InetSocketAddress address : writeTo) {
      CqlSession session = connect(address, connections);
      opened.add(session);
      writers.add(session);
      if (address.equals(readFrom)) {
        reader = session;
      }
    }
    if (reader == null) {
      reader = connect(readFrom, connections);
      opened.add(reader);
    }
    this.sessions = List.copyOf(opened);
    for (RowSize size : RowSize.values()) {
      List<Statements> perSession = new ArrayList<>();
      for (CqlSession writer : writers) {
        perSession.add(Statements.prepare(writer, size));
      }
      writes.put(size, perSession);
      reads.put(size, Statements.prepare(reader, size));
    }
  }

  static CqlSession connect(InetSocketAddress address) {
    return connect(address, 1);
  }

  static CqlSession connect(InetSocketAddress address, int connections) {
    DriverConfigLoader config =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
            // the same for every scenario: no schema or token metadata to load
            .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
            .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
            .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, connections)
            .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, 2048)
            // one session per scenario (two for client-side dual writes) is what the run needs
            .withInt(DefaultDriverOption.SESSION_LEAK_THRESHOLD, 32)
            .build();
    return CqlSession.builder()
        .addContactPoint(address)
        .withLocalDatacenter(DATACENTER)
        .withConfigLoader(config)
        .build();
  }

  /** Sends one request of a workload; the stage completes when every cluster concerned answered. */
  CompletionStage<?> request(Workload workload, RowSize size, ByteBuffer value, String valueHex) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long key = random.nextLong(keys);
    switch (workload) {
      case PREPARED_READ:
        return read(size, key);
      case PREPARED_WRITE:
        return write(size, key, value);
      case SIMPLE_WRITE:
        return simpleWrite(size, key, valueHex);
      case UNLOGGED_BATCH:
        return batch(size, key, value);
      case MIXED:
        return random.nextInt(10) == 0 ? write(size, key, value) : read(size, key);
      default:
        throw new IllegalArgumentException(workload.toString());
    }
  }

  private CompletionStage<AsyncResultSet> read(RowSize size, long key) {
    Statements statements = reads.get(size);
    return statements.session().executeAsync(statements.select().bind(key));
  }

  private CompletionStage<?> write(RowSize size, long key, ByteBuffer value) {
    return onEverySession(
        size,
        statements ->
            statements.session().executeAsync(statements.insert().bind(key, value.duplicate())));
  }

  private CompletionStage<?> simpleWrite(RowSize size, long key, String valueHex) {
    SimpleStatement statement =
        SimpleStatement.newInstance(
            Schema.simpleInsertPrefix(size) + key + ", 0x" + valueHex + ")");
    return onEverySession(size, statements -> statements.session().executeAsync(statement));
  }

  private CompletionStage<?> batch(RowSize size, long key, ByteBuffer value) {
    return onEverySession(
        size,
        statements -> {
          BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED);
          for (int c = 0; c < Schema.BATCH_ROWS; c++) {
            batch.addStatement(statements.event().bind(key, c, value.duplicate()));
          }
          return statements.session().executeAsync(batch.build());
        });
  }

  /** A write sent through every write session; completes when all of them answered. */
  private CompletionStage<?> onEverySession(
      RowSize size, Function<Statements, CompletionStage<?>> write) {
    List<Statements> writeStatements = writes.get(size);
    if (writeStatements.size() == 1) {
      return write.apply(writeStatements.get(0));
    }
    CompletableFuture<?>[] all = new CompletableFuture<?>[writeStatements.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = write.apply(writeStatements.get(i)).toCompletableFuture();
    }
    return CompletableFuture.allOf(all);
  }

  /** Writes every key once with every session, so that reads find rows. */
  void load(RowSize size) {
    ByteBuffer value = value(size.valueBytes());
    int inFlight = 256;
    List<CompletableFuture<?>> window = new ArrayList<>();
    for (long key = 0; key < keys; key++) {
      window.add(write(size, key, value).toCompletableFuture());
      if (window.size() == inFlight) {
        CompletableFuture.allOf(window.toArray(new CompletableFuture<?>[0])).join();
        window.clear();
      }
    }
    CompletableFuture.allOf(window.toArray(new CompletableFuture<?>[0])).join();
  }

  /** A value of the given size, the same bytes for every request. */
  static ByteBuffer value(int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'f');
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  static String hex(ByteBuffer value) {
    byte[] bytes = new byte[value.remaining()];
    value.duplicate().get(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    for (CqlSession session : sessions) {
      session.close();
    }
  }
}
