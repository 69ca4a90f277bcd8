package io.ferry.proxy.dualreads;

import com.datastax.oss.protocol.internal.ProtocolConstants.DataType;
import com.datastax.oss.protocol.internal.response.result.RawType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/**
 * Writes CQL values as an operator would type them in cqlsh, for divergence logs: text quoted,
 * numbers, uuids, timestamps, booleans, inet addresses; anything else (collections, user types,
 * blobs) as hexadecimal. Long values are cut, so that a log line stays a line.
 */
final class CqlValues {

  private static final int MAX_LENGTH = 120;

  private CqlValues() {}

  static String format(ByteBuffer value, RawType type) {
    if (value == null) {
      return "null";
    }
    ByteBuffer bytes = value.duplicate();
    String text;
    try {
      text = type == null ? hex(bytes) : formatTyped(bytes, type.id);
    } catch (RuntimeException e) {
      text = hex(value.duplicate());
    }
    return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "…" : text;
  }

  private static String formatTyped(ByteBuffer bytes, int type) {
    return switch (type) {
      case DataType.ASCII, DataType.VARCHAR ->
          "'" + StandardCharsets.UTF_8.decode(bytes).toString().replace("'", "''") + "'";
      case DataType.INT -> Integer.toString(bytes.getInt());
      case DataType.BIGINT, DataType.COUNTER -> Long.toString(bytes.getLong());
      case DataType.SMALLINT -> Short.toString(bytes.getShort());
      case DataType.TINYINT -> Byte.toString(bytes.get());
      case DataType.BOOLEAN -> Boolean.toString(bytes.get() != 0);
      case DataType.DOUBLE -> Double.toString(bytes.getDouble());
      case DataType.FLOAT -> Float.toString(bytes.getFloat());
      case DataType.UUID, DataType.TIMEUUID ->
          new UUID(bytes.getLong(), bytes.getLong()).toString();
      case DataType.TIMESTAMP -> "'" + Instant.ofEpochMilli(bytes.getLong()) + "'";
      case DataType.DATE ->
          "'" + LocalDate.ofEpochDay(Integer.toUnsignedLong(bytes.getInt()) - (1L << 31)) + "'";
      case DataType.INET -> inet(bytes);
      default -> hex(bytes);
    };
  }

  private static String inet(ByteBuffer bytes) {
    byte[] address = new byte[bytes.remaining()];
    bytes.get(address);
    try {
      return "'" + InetAddress.getByAddress(address).getHostAddress() + "'";
    } catch (UnknownHostException e) {
      return hex(ByteBuffer.wrap(address));
    }
  }

  private static String hex(ByteBuffer bytes) {
    StringBuilder builder = new StringBuilder("0x");
    while (bytes.hasRemaining() && builder.length() <= MAX_LENGTH) {
      int b = bytes.get() & 0xFF;
      builder.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return builder.toString();
  }
}
