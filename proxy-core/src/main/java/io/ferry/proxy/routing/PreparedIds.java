package io.ferry.proxy.routing;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import io.ferry.proxy.frame.BatchLayout;
import io.ferry.proxy.frame.Frames;
import io.ferry.proxy.frame.ProtocolPrimitives;
import io.ferry.proxy.frame.ProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.List;

/**
 * Finds and replaces prepared statement ids inside frames (EXECUTE, BATCH, PREPARED results,
 * UNPREPARED errors) without decoding the rest of the message.
 *
 * <p>Positions are absolute indexes of a {@code [short bytes]} id. Rewriting builds a new frame
 * from a new header, the new ids and retained slices of the original: the body is not copied, and
 * the original buffer is neither modified nor released.
 */
public final class PreparedIds {

  private PreparedIds() {}

  /** The position of an EXECUTE's query id. */
  public static int executeIdPosition(ByteBuf frame) {
    int position = Frames.requestMessageIndex(frame);
    ProtocolPrimitives.skipShortBytes(frame, position);
    return position;
  }

  /**
   * The positions of a BATCH's prepared children's ids, in order; empty when every child is a query
   * string.
   */
  public static int[] batchIdPositions(ByteBuf frame) {
    return BatchLayout.of(frame).preparedIdPositions();
  }

  /** The id of a PREPARED result, or {@code null} if the response is something else. */
  public static byte[] preparedResultId(ByteBuf response) {
    if (Frames.opcode(response) != ProtocolConstants.Opcode.RESULT) {
      return null;
    }
    int index = Frames.responseMessageIndex(response);
    if (response.getInt(index) != ProtocolConstants.ResultKind.PREPARED) {
      return null;
    }
    return ProtocolPrimitives.getShortBytes(response, index + 4);
  }

  /**
   * The result metadata id of a PREPARED result (v5, DSE_V2), or {@code null} if the response is
   * something else or the version has none.
   */
  public static byte[] preparedResultMetadataId(ByteBuf response) {
    ProtocolVersion version = ProtocolVersion.fromCode(Frames.version(response));
    if (version == null || !version.hasResultMetadataId() || preparedResultId(response) == null) {
      return null;
    }
    int index = Frames.responseMessageIndex(response) + 4;
    return ProtocolPrimitives.getShortBytes(
        response, ProtocolPrimitives.skipShortBytes(response, index));
  }

  /** The position of an UNPREPARED error's id, or -1 if the response is something else. */
  public static int unpreparedIdPosition(ByteBuf response) {
    if (Frames.opcode(response) != ProtocolConstants.Opcode.ERROR) {
      return -1;
    }
    int index = Frames.responseMessageIndex(response);
    if (response.getInt(index) != ProtocolConstants.ErrorCode.UNPREPARED) {
      return -1;
    }
    return ProtocolPrimitives.skipString(response, index + 4);
  }

  /**
   * A copy of {@code frame} with the {@code [short bytes]} at each position replaced by the id at
   * the same index of {@code ids}, and the given stream id. The caller owns the result.
   */
  public static ByteBuf replace(
      ByteBufAllocator allocator, ByteBuf frame, int[] positions, List<byte[]> ids, int streamId) {
    int bodyIndex = Frames.bodyIndex(frame);
    int end = Frames.endIndex(frame);
    int bodyLength = Frames.bodyLength(frame);
    for (int i = 0; i < positions.length; i++) {
      bodyLength += ids.get(i).length - frame.getUnsignedShort(positions[i]);
    }
    CompositeByteBuf result = allocator.compositeBuffer(2 + positions.length * 2);
    result.addComponent(true, Frames.header(allocator, frame, streamId, bodyLength));
    int copied = bodyIndex;
    for (int i = 0; i < positions.length; i++) {
      int position = positions[i];
      if (position > copied) {
        result.addComponent(true, frame.retainedSlice(copied, position - copied));
      }
      byte[] id = ids.get(i);
      ByteBuf encoded = allocator.ioBuffer(2 + id.length);
      encoded.writeShort(id.length).writeBytes(id);
      result.addComponent(true, encoded);
      copied = position + 2 + frame.getUnsignedShort(position);
    }
    if (end > copied) {
      result.addComponent(true, frame.retainedSlice(copied, end - copied));
    }
    return result;
  }
}
