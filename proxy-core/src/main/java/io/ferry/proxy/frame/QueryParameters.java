package io.ferry.proxy.frame;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import io.netty.buffer.ByteBuf;

/**
 * Where things are in the query parameters of a QUERY, EXECUTE or BATCH, and the keyspace a request
 * names itself (v5, DSE_V2), found by walking the body without decoding it.
 *
 * <p>Layout: {@code <consistency><flags>[values][page size][paging state][serial consistency]
 * [timestamp][keyspace][now in seconds]} (BATCH has no values, page size nor paging state); the
 * flags are a byte in v3/v4 and an int from v5 and in the DSE versions.
 */
public final class QueryParameters {

  static final int VALUES = 0x01;
  static final int PAGE_SIZE = 0x04;
  static final int PAGING_STATE = 0x08;
  static final int SERIAL_CONSISTENCY = 0x10;
  public static final int DEFAULT_TIMESTAMP = 0x20;
  static final int NAMED_VALUES = 0x40;
  static final int KEYSPACE = 0x80;
  static final int PREPARE_KEYSPACE = 0x01;

  private QueryParameters() {}

  /**
   * The index of the {@code [short consistency]} that starts a QUERY's, EXECUTE's or BATCH's
   * parameters.
   *
   * @throws IndexOutOfBoundsException for a malformed body
   */
  public static int parametersIndex(ByteBuf frame, ProtocolVersion version) {
    int index = Frames.requestMessageIndex(frame);
    return switch (Frames.opcode(frame)) {
      case Opcode.QUERY -> ProtocolPrimitives.skipLongString(frame, index);
      case Opcode.EXECUTE -> {
        int afterId = ProtocolPrimitives.skipShortBytes(frame, index);
        yield version.hasResultMetadataId()
            ? ProtocolPrimitives.skipShortBytes(frame, afterId)
            : afterId;
      }
      case Opcode.BATCH -> BatchLayout.of(frame).parametersIndex();
      default ->
          throw new IllegalArgumentException(
              "not a QUERY, EXECUTE or BATCH: opcode " + Frames.opcode(frame));
    };
  }

  /** Bytes of the flags: 1 in v3/v4, 4 from v5 and in the DSE versions. */
  public static int flagsWidth(ProtocolVersion version) {
    return version.hasIntFlags() ? 4 : 1;
  }

  /** The flags at {@code flagsIndex}. */
  public static int flags(ByteBuf frame, int flagsIndex, int width) {
    if (flagsIndex + width > Frames.endIndex(frame)) {
      throw new IndexOutOfBoundsException("no query parameter flags in the frame");
    }
    return width == 4 ? frame.getInt(flagsIndex) : frame.getUnsignedByte(flagsIndex);
  }

  /**
   * The index where the timestamp is, or goes: just past the serial consistency.
   *
   * @param afterFlags the index just past the flags
   */
  public static int timestampIndex(ByteBuf frame, int afterFlags, int flags) {
    int index = afterFlags;
    if (Frames.opcode(frame) != Opcode.BATCH) {
      if ((flags & VALUES) != 0) {
        int count = frame.getUnsignedShort(index);
        index += 2;
        for (int i = 0; i < count; i++) {
          if ((flags & NAMED_VALUES) != 0) {
            index = ProtocolPrimitives.skipString(frame, index);
          }
          index = ProtocolPrimitives.skipBytes(frame, index);
        }
      }
      if ((flags & PAGE_SIZE) != 0) {
        index += 4;
      }
      if ((flags & PAGING_STATE) != 0) {
        index = ProtocolPrimitives.skipBytes(frame, index);
      }
    }
    if ((flags & SERIAL_CONSISTENCY) != 0) {
      index += 2;
    }
    if (index > Frames.endIndex(frame)) {
      throw new IndexOutOfBoundsException("query parameters past the frame's end");
    }
    return index;
  }

  /**
   * The keyspace a QUERY or PREPARE names for itself (v5, DSE_V2), or {@code null}: then the
   * connection's keyspace applies.
   *
   * @throws IndexOutOfBoundsException for a malformed body
   */
  public static String requestKeyspace(ByteBuf frame, ProtocolVersion version) {
    if (!version.hasKeyspaceInRequest()) {
      return null;
    }
    int opcode = Frames.opcode(frame);
    int afterQuery = ProtocolPrimitives.skipLongString(frame, Frames.requestMessageIndex(frame));
    if (opcode == Opcode.PREPARE) {
      if (afterQuery + 4 > Frames.endIndex(frame)) {
        return null;
      }
      int flags = frame.getInt(afterQuery);
      return (flags & PREPARE_KEYSPACE) != 0
          ? ProtocolPrimitives.getString(frame, afterQuery + 4)
          : null;
    }
    if (opcode != Opcode.QUERY) {
      return null;
    }
    int flagsIndex = afterQuery + 2;
    int flags = flags(frame, flagsIndex, 4);
    if ((flags & KEYSPACE) == 0) {
      return null;
    }
    int index = timestampIndex(frame, flagsIndex + 4, flags);
    if ((flags & DEFAULT_TIMESTAMP) != 0) {
      index += 8;
    }
    return ProtocolPrimitives.getString(frame, index);
  }
}
