package io.ferry.proxy.topology;

import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.Rows;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prepared statements on the system tables Ferry answers itself ({@link SystemTables}): Ferry
 * prepares them, with ids of its own, and answers their executions as it answers the same query
 * unprepared, so that a driver that prepares everything (gocql) sees Ferry's topology too, never a
 * real node's addresses.
 *
 * <p>Ferry's ids are 20 bytes long and start with a fixed marker, where Cassandra's are 16-byte MD5
 * digests, so that telling one from the other on an EXECUTE costs two reads and no allocation. The
 * statement's WHERE clause is ignored, as unprepared; a statement with bind markers is not prepared
 * here (its markers' types would have to be inferred) and goes to the cluster as before.
 *
 * <p>Thread-safe.
 */
public final class PreparedSystemQueries {

  /** "FRRY": the first four bytes of every id Ferry gives a prepared system query. */
  private static final int MARKER = 0x46525259;

  private static final int ID_LENGTH = 20;

  /** Distinct system queries remembered; drivers use a handful. */
  private static final int MAX_REMEMBERED = 256;

  private final SystemTables tables;
  private final Map<ByteBuffer, Remembered> byId =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Remembered> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  private record Remembered(String table, String query) {}

  PreparedSystemQueries(SystemTables tables) {
    this.tables = tables;
  }

  /** Whether Ferry prepares {@code query} itself: it has no bind marker. */
  public static boolean canPrepare(String query) {
    char quote = 0;
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '?' || (c == ':' && i + 1 < query.length() && isNameStart(query, i + 1))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNameStart(String query, int index) {
    char c = query.charAt(index);
    return Character.isLetter(c) || c == '"' || c == '_';
  }

  /**
   * Prepares a query on an intercepted table: PREPARED with Ferry's id and the columns the answer
   * will have, or the ERROR the unprepared query would get.
   *
   * @param cluster the data of the cluster system queries go to, or null if not known yet
   */
  public Message prepare(String table, String query, ClusterTopology cluster) {
    Message answer = tables.answer(table, query, cluster);
    if (!(answer instanceof Rows rows)) {
      return answer;
    }
    byte[] id = idOf(query);
    synchronized (byId) {
      byId.put(ByteBuffer.wrap(id), new Remembered(table, query));
    }
    RowsMetadata noVariables = new RowsMetadata(List.of(), null, new int[0], null);
    RowsMetadata result = rows.getMetadata();
    return new Prepared(
        id,
        Arrays.copyOfRange(id, 4, ID_LENGTH),
        noVariables,
        new RowsMetadata(result.columnSpecs, null, null, null));
  }

  /** Whether the prepared id at {@code position} of {@code frame} is one Ferry gave. */
  public static boolean isFerryId(ByteBuf frame, int position) {
    return frame.getUnsignedShort(position) == ID_LENGTH && frame.getInt(position + 2) == MARKER;
  }

  /**
   * Executes a statement prepared here: ROWS, or UNPREPARED when this instance does not know the id
   * (prepared on another Ferry instance, or forgotten), which makes the driver prepare it again.
   */
  public Message execute(byte[] id, ClusterTopology cluster) {
    Remembered remembered;
    synchronized (byId) {
      remembered = byId.get(ByteBuffer.wrap(id));
    }
    if (remembered == null) {
      return MessageCodec.unprepared(id);
    }
    return tables.answer(remembered.table(), remembered.query(), cluster);
  }

  private static byte[] idOf(String query) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("MD5").digest(query.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
    ByteBuffer id = ByteBuffer.allocate(ID_LENGTH).putInt(MARKER).put(digest);
    return id.array();
  }
}
