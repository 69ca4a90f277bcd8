package io.ferry.proxy.frame;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Where things are in a BATCH request body, found by walking its children once without decoding
 * them.
 *
 * @param preparedIdPositions the indexes of the prepared children's {@code [short bytes]} ids, in
 *     order
 * @param parametersIndex the index just past the children, where the consistency level starts
 */
public record BatchLayout(int[] preparedIdPositions, int parametersIndex) {

  private static final int[] NONE = new int[0];

  /**
   * @throws IndexOutOfBoundsException for a malformed body
   */
  public static BatchLayout of(ByteBuf frame) {
    // [byte type][short n], then n x ([byte kind][long string | short bytes][short count][values])
    int index = Frames.requestMessageIndex(frame) + 1;
    int children = frame.getUnsignedShort(index);
    index += 2;
    int[] positions = NONE;
    int found = 0;
    for (int child = 0; child < children; child++) {
      int kind = frame.getByte(index);
      index++;
      if (kind == 1) {
        if (positions.length == found) {
          positions = Arrays.copyOf(positions, Math.max(4, found * 2));
        }
        positions[found++] = index;
        index = ProtocolPrimitives.skipShortBytes(frame, index);
      } else if (kind == 0) {
        index = ProtocolPrimitives.skipLongString(frame, index);
      } else {
        throw new IndexOutOfBoundsException("unknown BATCH child kind " + kind);
      }
      int values = frame.getUnsignedShort(index);
      index += 2;
      for (int value = 0; value < values; value++) {
        index = ProtocolPrimitives.skipBytes(frame, index);
      }
    }
    return new BatchLayout(
        found == positions.length ? positions : Arrays.copyOf(positions, found), index);
  }
}
