package io.ferry.proxy.cluster;

import com.datastax.oss.protocol.internal.response.result.ColumnSpec;
import com.datastax.oss.protocol.internal.response.result.Rows;
import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The rows of a system table as a cluster returned them: column specs and raw values, with readers
 * for the few CQL types Ferry needs (text, inet, uuid, set of text).
 */
public record SystemRows(List<ColumnSpec> columns, List<List<ByteBuffer>> rows) {

  public SystemRows {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }

  public static SystemRows of(Rows result) {
    RowsMetadata metadata = result.getMetadata();
    List<List<ByteBuffer>> rows = new ArrayList<>(result.getData());
    return new SystemRows(metadata.columnSpecs, rows);
  }

  /** The column's position, or -1 when the table has no such column. */
  public int indexOf(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name.equals(column)) {
        return i;
      }
    }
    return -1;
  }

  public boolean hasColumn(String column) {
    return indexOf(column) >= 0;
  }

  /** Raw value of a column in a row, or {@code null} when absent or null. */
  public ByteBuffer raw(int row, String column) {
    int index = indexOf(column);
    if (index < 0) {
      return null;
    }
    ByteBuffer value = rows.get(row).get(index);
    return value == null ? null : value.duplicate();
  }

  public String text(int row, String column) {
    ByteBuffer value = raw(row, column);
    return value == null ? null : StandardCharsets.UTF_8.decode(value).toString();
  }

  public InetAddress inet(int row, String column) {
    ByteBuffer value = raw(row, column);
    if (value == null) {
      return null;
    }
    byte[] bytes = new byte[value.remaining()];
    value.get(bytes);
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  public UUID uuid(int row, String column) {
    ByteBuffer value = raw(row, column);
    return value == null || value.remaining() != 16
        ? null
        : new UUID(value.getLong(), value.getLong());
  }

  public Set<String> textSet(int row, String column) {
    ByteBuffer value = raw(row, column);
    Set<String> result = new LinkedHashSet<>();
    if (value == null) {
      return result;
    }
    int count = value.getInt();
    for (int i = 0; i < count; i++) {
      int length = value.getInt();
      ByteBuffer element = value.slice();
      element.limit(length);
      result.add(StandardCharsets.UTF_8.decode(element).toString());
      value.position(value.position() + length);
    }
    return result;
  }

  /** A row as a map from column name to raw value, for copying columns by name. */
  public Map<String, ByteBuffer> rowByName(int row) {
    Map<String, ByteBuffer> values = new HashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      ByteBuffer value = rows.get(row).get(i);
      values.put(columns.get(i).name, value == null ? null : value.duplicate());
    }
    return values;
  }
}
