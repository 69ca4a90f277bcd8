package io.ferry.proxy.dualreads;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.RawType;
import com.datastax.oss.protocol.internal.response.result.Rows;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.cluster.ControlConnection;
import io.ferry.proxy.cluster.SystemRows;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.config.ProxySettings.DualReadSettings;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.ferry.proxy.metrics.ProxyMetrics.Comparison;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance-wide side of dual reads: compares the two answers of each mirrored read on a thread
 * of its own (decoding rows costs CPU an event loop must not spend), counts outcomes and
 * divergences, and logs divergences, at most once per table per interval, with the partition key of
 * the first rows that differ and what each cluster has.
 *
 * <p>Thread-safe.
 */
public final class DualReads implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DualReads.class);

  /** Comparisons waiting for the comparison thread; beyond it, answers are not compared. */
  private static final int MAX_QUEUED_COMPARISONS = 1000;

  private final DualReadSettings settings;
  private final ProxyMetrics metrics;
  private final MessageCodec codec;
  private final Function<ClusterRole, ControlConnection> controlConnections;
  private final ThreadPoolExecutor comparisons;
  private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<List<String>>> partitionKeys =
      new ConcurrentHashMap<>();

  public DualReads(
      DualReadSettings settings,
      ProxyMetrics metrics,
      MessageCodec codec,
      Function<ClusterRole, ControlConnection> controlConnections) {
    this.settings = settings;
    this.metrics = metrics;
    this.codec = codec;
    this.controlConnections = controlConnections;
    this.comparisons =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_QUEUED_COMPARISONS),
            new DefaultThreadFactory("ferry-compare", true));
  }

  public DualReadSettings settings() {
    return settings;
  }

  public ProxyMetrics metrics() {
    return metrics;
  }

  /** Whether an answer of this size is worth holding for comparison. */
  boolean isComparable(ByteBuf response) {
    return settings.compare() && response.readableBytes() <= settings.maxComparedSize();
  }

  /**
   * Compares two answers in the background. Takes ownership of both buffers, which are released
   * whatever happens.
   */
  void compare(MirroredRead read, ByteBuf primary, ByteBuf secondary) {
    try {
      comparisons.execute(() -> compareNow(read, primary, secondary));
    } catch (RejectedExecutionException e) {
      primary.release();
      secondary.release();
      metrics.mirroredReadCompared(Comparison.SKIPPED);
    }
  }

  private void compareNow(MirroredRead read, ByteBuf primaryFrame, ByteBuf secondaryFrame) {
    Message primary;
    Message secondary;
    try {
      primary = codec.decodeResponse(primaryFrame).message;
      secondary = codec.decodeResponse(secondaryFrame).message;
    } catch (RuntimeException e) {
      LOG.debug("could not decode a mirrored read's answers: {}", e.toString());
      metrics.mirroredReadCompared(Comparison.SKIPPED);
      return;
    } finally {
      primaryFrame.release();
      secondaryFrame.release();
    }
    if (!(primary instanceof Rows primaryRows) || !(secondary instanceof Rows secondaryRows)) {
      metrics.mirroredReadCompared(Comparison.SKIPPED);
      return;
    }
    ResultComparison.Difference difference =
        ResultComparison.compare(
            new ArrayList<>(primaryRows.getData()),
            new ArrayList<>(secondaryRows.getData()),
            read.ordered());
    if (difference == null) {
      metrics.mirroredReadCompared(Comparison.MATCH);
      return;
    }
    metrics.mirroredReadCompared(Comparison.DIVERGENT);
    metrics.divergence(read.table());
    if (shouldLog(read.table())) {
      RowsMetadata metadata =
          primaryRows.getMetadata().columnSpecs.isEmpty()
              ? read.knownMetadata()
              : primaryRows.getMetadata();
      partitionKey(read)
          .whenComplete(
              (keys, failure) -> log(read, metadata, difference, keys == null ? List.of() : keys));
    }
  }

  private boolean shouldLog(String table) {
    long now = System.nanoTime();
    long interval = settings.divergenceLogInterval().toNanos();
    boolean[] log = {false};
    lastLogged.compute(
        table,
        (key, last) -> {
          if (last == null || now - last >= interval) {
            log[0] = true;
            return now;
          }
          return last;
        });
    return log[0];
  }

  private void log(
      MirroredRead read,
      RowsMetadata metadata,
      ResultComparison.Difference difference,
      List<String> partitionKey) {
    ClusterRole primary = read.primary();
    ClusterRole secondary = primary.other();
    List<ByteBuffer> row =
        difference.onlyPrimary() != null ? difference.onlyPrimary() : difference.onlySecondary();
    LOG.warn(
        "Dual reads found a divergence on {}{}: {} (primary) has {}, {} has {}; {} returned {}"
            + " row(s), {} returned {}",
        read.table(),
        keyDescription(metadata, partitionKey, row),
        primary.id(),
        describe(metadata, difference.onlyPrimary()),
        secondary.id(),
        describe(metadata, difference.onlySecondary()),
        primary.id(),
        difference.primaryRows(),
        secondary.id(),
        difference.secondaryRows());
  }

  private static String keyDescription(
      RowsMetadata metadata, List<String> partitionKey, List<ByteBuffer> row) {
    if (partitionKey.isEmpty() || metadata == null || row == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (String column : partitionKey) {
      int index = indexOf(metadata, column);
      if (index < 0 || index >= row.size()) {
        return " (partition key " + String.join(", ", partitionKey) + " not selected)";
      }
      parts.add(
          column + "=" + CqlValues.format(row.get(index), metadata.columnSpecs.get(index).type));
    }
    return " at partition key (" + String.join(", ", parts) + ")";
  }

  private static String describe(RowsMetadata metadata, List<ByteBuffer> row) {
    if (row == null) {
      return "no such row";
    }
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < row.size(); i++) {
      ColumnSpec spec =
          metadata != null && i < metadata.columnSpecs.size() ? metadata.columnSpecs.get(i) : null;
      RawType type = spec == null ? null : spec.type;
      String name = spec == null ? "column" + i : spec.name;
      columns.add(name + "=" + CqlValues.format(row.get(i), type));
    }
    return "{" + String.join(", ", columns) + "}";
  }

  private static int indexOf(RowsMetadata metadata, String column) {
    for (int i = 0; i < metadata.columnSpecs.size(); i++) {
      if (metadata.columnSpecs.get(i).name.equals(column)) {
        return i;
      }
    }
    return -1;
  }

  /** The table's partition key columns, from the primary's schema, looked up once per table. */
  private CompletableFuture<List<String>> partitionKey(MirroredRead read) {
    if (read.keyspace() == null || read.tableName() == null) {
      return CompletableFuture.completedFuture(List.of());
    }
    return partitionKeys.computeIfAbsent(
        read.table(),
        table ->
            controlConnections
                .apply(read.primary())
                .query(
                    "SELECT column_name, kind, position FROM system_schema.columns WHERE"
                        + " keyspace_name = '"
                        + read.keyspace().replace("'", "''")
                        + "' AND table_name = '"
                        + read.tableName().replace("'", "''")
                        + "'")
                .thenApply(DualReads::partitionKeyColumns)
                .exceptionally(
                    failure -> {
                      // Look it up again next time rather than log without keys forever.
                      partitionKeys.remove(table);
                      return List.of();
                    }));
  }

  private static List<String> partitionKeyColumns(SystemRows columns) {
    String[] byPosition = new String[columns.rows().size()];
    int count = 0;
    for (int row = 0; row < columns.rows().size(); row++) {
      if ("partition_key".equals(columns.text(row, "kind"))) {
        ByteBuffer position = columns.raw(row, "position");
        int index = position == null ? count : position.getInt();
        if (index >= 0 && index < byPosition.length) {
          byPosition[index] = columns.text(row, "column_name");
          count++;
        }
      }
    }
    List<String> keys = new ArrayList<>();
    for (String name : byPosition) {
      if (name != null) {
        keys.add(name);
      }
    }
    return keys;
  }

  @Override
  public void close() {
    comparisons.shutdownNow();
  }
}
