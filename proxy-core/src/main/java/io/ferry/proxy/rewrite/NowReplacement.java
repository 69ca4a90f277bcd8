package io.ferry.proxy.rewrite;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.cql.NowCalls;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Replaces {@code now()} in writes ({@code ZDM_REPLACE_CQL_FUNCTIONS}) by a timeuuid Ferry
 * generates, so that origin and target store the same value instead of each its own:
 *
 * <ul>
 *   <li>a QUERY (or a query string in a BATCH) gets a UUID literal in place of each call;
 *   <li>a PREPARE gets a bind marker in place of each call ({@code ?}, or {@code :zdm__now} where
 *       the statement uses named markers), and the PREPARED the client receives no longer shows
 *       those variables, so the client binds what it always bound;
 *   <li>an EXECUTE (or a prepared BATCH child) of such a statement gets the generated values
 *       spliced in at those markers.
 * </ul>
 *
 * <p>These messages are decoded and re-encoded whole (native-protocol): it costs more than the
 * forwarding path, but only statements that call {@code now()} pay it, and only when the setting is
 * on. Each method takes ownership of the frame it is given and returns the frame to send.
 *
 * <p>Thread-safe.
 */
public final class NowReplacement {

  private final MessageCodec codec;
  private final TimeUuids uuids = new TimeUuids();

  public NowReplacement(MessageCodec codec) {
    this.codec = codec;
  }

  /** A QUERY with a literal timeuuid in place of each call. */
  public ByteBuf replaceInQuery(ByteBuf frame, NowCalls calls) {
    Frame request = decodeAndRelease(frame);
    Query query = (Query) request.message;
    return encode(
        request, new Query(calls.replace(query.query, literals(calls.count())), query.options));
  }

  /** A PREPARE with a bind marker in place of each call. */
  public ByteBuf replaceInPrepare(ByteBuf frame, NowCalls calls) {
    Frame request = decodeAndRelease(frame);
    Prepare prepare = (Prepare) request.message;
    return encode(
        request, new Prepare(calls.replaceWithMarkers(prepare.cqlQuery), prepare.keyspace));
  }

  /**
   * A PREPARED answer without the variables that replaced {@code now()}, so that the client binds
   * only its own; partition-key indexes renumbered accordingly.
   */
  public ByteBuf hideMarkers(ByteBuf response, int[] markerIndexes) {
    Frame frame = codec.decodeResponse(response);
    response.release();
    Prepared prepared = (Prepared) frame.message;
    RowsMetadata variables = prepared.variablesMetadata;
    List<ColumnSpec> kept = new ArrayList<>();
    for (ColumnSpec column : variables.columnSpecs) {
      if (Arrays.binarySearch(markerIndexes, column.index) < 0) {
        kept.add(
            new ColumnSpec(column.ksName, column.tableName, column.name, kept.size(), column.type));
      }
    }
    int[] partitionKey = null;
    if (variables.pkIndices != null) {
      partitionKey =
          Arrays.stream(variables.pkIndices)
              .filter(index -> Arrays.binarySearch(markerIndexes, index) < 0)
              .map(index -> index - removedBefore(markerIndexes, index))
              .toArray();
    }
    Prepared visible =
        new Prepared(
            prepared.preparedQueryId,
            prepared.resultMetadataId,
            new RowsMetadata(kept, null, partitionKey, null),
            prepared.resultMetadata);
    return codec.encodeResponse(
        Frame.forResponse(
            frame.protocolVersion,
            frame.streamId,
            frame.tracingId,
            frame.customPayload,
            frame.warnings,
            visible));
  }

  /** An EXECUTE with a generated timeuuid for each marker that replaced {@code now()}. */
  public ByteBuf addValues(ByteBuf frame, int[] markerIndexes) {
    Frame request = decodeAndRelease(frame);
    Execute execute = (Execute) request.message;
    QueryOptions options = execute.options;
    List<ByteBuffer> positional = options.positionalValues;
    Map<String, ByteBuffer> named = options.namedValues;
    if (!named.isEmpty()) {
      named = new LinkedHashMap<>(named);
      named.put(NowCalls.MARKER_NAME, TimeUuids.bytes(uuids.next()));
    } else {
      positional = insertValues(positional, markerIndexes);
    }
    QueryOptions withValues =
        new QueryOptions(
            options.consistency,
            positional,
            named,
            options.skipMetadata,
            options.pageSize,
            options.pagingState,
            options.serialConsistency,
            options.defaultTimestamp,
            options.keyspace,
            options.nowInSeconds);
    return encode(request, new Execute(execute.queryId, execute.resultMetadataId, withValues));
  }

  /**
   * A BATCH with literals in its query strings and values for its prepared children's markers, or
   * the same frame when no child calls {@code now()}.
   *
   * @param markersOf the marker indexes of a prepared child (by its id), empty when it has none
   */
  public ByteBuf replaceInBatch(ByteBuf frame, Function<byte[], int[]> markersOf) {
    Frame request = codec.decodeRequest(frame);
    Batch batch = (Batch) request.message;
    List<Object> children = new ArrayList<>(batch.queriesOrIds.size());
    List<List<ByteBuffer>> values = new ArrayList<>(batch.values.size());
    boolean changed = false;
    for (int i = 0; i < batch.queriesOrIds.size(); i++) {
      Object child = batch.queriesOrIds.get(i);
      List<ByteBuffer> childValues = batch.values.get(i);
      if (child instanceof String query) {
        NowCalls calls = NowCalls.find(query);
        if (!calls.isEmpty()) {
          child = calls.replace(query, literals(calls.count()));
          changed = true;
        }
      } else {
        int[] markers = markersOf.apply((byte[]) child);
        if (markers.length > 0) {
          childValues = insertValues(childValues, markers);
          changed = true;
        }
      }
      children.add(child);
      values.add(childValues);
    }
    if (!changed) {
      return frame;
    }
    frame.release();
    return encode(
        request,
        new Batch(
            batch.type,
            children,
            values,
            batch.consistency,
            batch.serialConsistency,
            batch.defaultTimestamp,
            batch.keyspace,
            batch.nowInSeconds));
  }

  private List<String> literals(int count) {
    List<String> literals = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      literals.add(uuids.next().toString());
    }
    return literals;
  }

  private List<ByteBuffer> insertValues(List<ByteBuffer> values, int[] markerIndexes) {
    List<ByteBuffer> result = new ArrayList<>(values.size() + markerIndexes.length);
    int next = 0;
    int total = values.size() + markerIndexes.length;
    for (int index = 0; index < total; index++) {
      if (next < markerIndexes.length && markerIndexes[next] == index) {
        UUID uuid = uuids.next();
        result.add(TimeUuids.bytes(uuid));
        next++;
      } else {
        result.add(values.get(index - next));
      }
    }
    return result;
  }

  private static int removedBefore(int[] sortedIndexes, int index) {
    int count = 0;
    for (int removed : sortedIndexes) {
      if (removed < index) {
        count++;
      }
    }
    return count;
  }

  /** Decodes, then releases: a frame that cannot be decoded stays its caller's to release. */
  private Frame decodeAndRelease(ByteBuf frame) {
    Frame decoded = codec.decodeRequest(frame);
    frame.release();
    return decoded;
  }

  private ByteBuf encode(Frame original, com.datastax.oss.protocol.internal.Message message) {
    return codec.encodeRequest(
        Frame.forRequest(
            original.protocolVersion,
            original.streamId,
            original.tracing,
            original.customPayload,
            message));
  }
}
