package io.ferry.proxy.frame;

import io.netty.buffer.ByteBuf;

/**
 * Skips over the protocol's primitive types at absolute indexes, without copying or moving the
 * buffer's indexes. Each method returns the index just past the value.
 *
 * <p>Bounds are checked by the buffer: a malformed body makes these throw {@link
 * IndexOutOfBoundsException}, which callers turn into an error for that one request.
 */
public final class ProtocolPrimitives {

  private ProtocolPrimitives() {}

  /** {@code [string]}: an unsigned short length and that many bytes. */
  public static int skipString(ByteBuf buffer, int index) {
    return checked(buffer, index + 2 + buffer.getUnsignedShort(index));
  }

  /** {@code [long string]}: an int length and that many bytes. */
  public static int skipLongString(ByteBuf buffer, int index) {
    int length = buffer.getInt(index);
    if (length < 0) {
      throw new IndexOutOfBoundsException("negative [long string] length " + length);
    }
    return checked(buffer, index + 4 + length);
  }

  /** {@code [short bytes]}: an unsigned short length and that many bytes. */
  public static int skipShortBytes(ByteBuf buffer, int index) {
    return checked(buffer, index + 2 + buffer.getUnsignedShort(index));
  }

  /** {@code [bytes]} or {@code [value]}: an int length (negative: null or unset) and the bytes. */
  public static int skipBytes(ByteBuf buffer, int index) {
    int length = buffer.getInt(index);
    return checked(buffer, index + 4 + Math.max(0, length));
  }

  /** {@code [string list]}: an unsigned short count of {@code [string]}. */
  public static int skipStringList(ByteBuf buffer, int index) {
    int count = buffer.getUnsignedShort(index);
    index += 2;
    for (int i = 0; i < count; i++) {
      index = skipString(buffer, index);
    }
    return index;
  }

  /** {@code [bytes map]}: an unsigned short count of ({@code [string]}, {@code [bytes]}). */
  public static int skipBytesMap(ByteBuf buffer, int index) {
    int count = buffer.getUnsignedShort(index);
    index += 2;
    for (int i = 0; i < count; i++) {
      index = skipBytes(buffer, skipString(buffer, index));
    }
    return index;
  }

  /** Reads a {@code [short bytes]} value into a new array. */
  public static byte[] getShortBytes(ByteBuf buffer, int index) {
    int length = buffer.getUnsignedShort(index);
    byte[] bytes = new byte[length];
    buffer.getBytes(index + 2, bytes);
    return bytes;
  }

  /** Reads a {@code [bytes]} value into a new array; {@code null} for a negative length. */
  public static byte[] getBytes(ByteBuf buffer, int index) {
    int length = buffer.getInt(index);
    if (length < 0) {
      return null;
    }
    checked(buffer, index + 4 + length);
    byte[] bytes = new byte[length];
    buffer.getBytes(index + 4, bytes);
    return bytes;
  }

  /** Reads a {@code [string]} value. */
  public static String getString(ByteBuf buffer, int index) {
    int length = buffer.getUnsignedShort(index);
    return buffer.toString(index + 2, length, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static int checked(ByteBuf buffer, int end) {
    if (end > buffer.writerIndex() || end < 0) {
      throw new IndexOutOfBoundsException(
          "value ends at " + end + ", past the frame's end at " + buffer.writerIndex());
    }
    return end;
  }
}
