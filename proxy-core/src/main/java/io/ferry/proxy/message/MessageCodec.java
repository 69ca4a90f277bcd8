package io.ferry.proxy.message;

import com.datastax.dse.protocol.internal.DseProtocolV1ClientCodecs;
import com.datastax.dse.protocol.internal.DseProtocolV1ServerCodecs;
import com.datastax.dse.protocol.internal.DseProtocolV2ClientCodecs;
import com.datastax.dse.protocol.internal.DseProtocolV2ServerCodecs;
import com.datastax.oss.protocol.internal.Compressor;
import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.FrameCodec;
import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.ProtocolV3ClientCodecs;
import com.datastax.oss.protocol.internal.ProtocolV3ServerCodecs;
import com.datastax.oss.protocol.internal.ProtocolV4ClientCodecs;
import com.datastax.oss.protocol.internal.ProtocolV4ServerCodecs;
import com.datastax.oss.protocol.internal.ProtocolV5ClientCodecs;
import com.datastax.oss.protocol.internal.ProtocolV5ServerCodecs;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.error.Unprepared;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * Encodes the messages Ferry generates and decodes the ones it must read completely. Thread-safe.
 *
 * <p>Decoding never moves the reader index of, nor releases, the buffer it is given.
 */
public final class MessageCodec {

  private final FrameCodec<ByteBuf> serverSide;
  private final FrameCodec<ByteBuf> clientSide;

  public MessageCodec(ByteBufAllocator allocator) {
    ByteBufPrimitiveCodec primitives = new ByteBufPrimitiveCodec(allocator);
    // Frames Ferry encodes and decodes here are never compressed: compression is a transport
    // concern of the pipelines (frame compression in v3/v4, segments in v5).
    this.serverSide =
        new FrameCodec<>(
            primitives,
            Compressor.none(),
            new ProtocolV3ServerCodecs(),
            new ProtocolV4ServerCodecs(),
            new ProtocolV5ServerCodecs(),
            new DseProtocolV1ServerCodecs(),
            new DseProtocolV2ServerCodecs());
    this.clientSide =
        new FrameCodec<>(
            primitives,
            Compressor.none(),
            new ProtocolV3ClientCodecs(),
            new ProtocolV4ClientCodecs(),
            new ProtocolV5ClientCodecs(),
            new DseProtocolV1ClientCodecs(),
            new DseProtocolV2ClientCodecs());
  }

  /** A response frame as a server would send it to a client. */
  public ByteBuf encodeResponse(int protocolVersion, int streamId, Message response) {
    return serverSide.encode(
        Frame.forResponse(protocolVersion, streamId, null, Frame.NO_PAYLOAD, List.of(), response));
  }

  /** A request frame as a client would send it to a server. */
  public ByteBuf encodeRequest(int protocolVersion, int streamId, Message request) {
    return clientSide.encode(
        Frame.forRequest(protocolVersion, streamId, false, Frame.NO_PAYLOAD, request));
  }

  /** Re-encodes a decoded request frame (tracing flag and custom payload kept). */
  public ByteBuf encodeRequest(Frame request) {
    return clientSide.encode(request);
  }

  /** Re-encodes a decoded response frame (tracing id, warnings and custom payload kept). */
  public ByteBuf encodeResponse(Frame response) {
    return serverSide.encode(response);
  }

  /** Decodes a whole request frame (header included). */
  public Frame decodeRequest(ByteBuf frame) {
    return serverSide.decode(frame.duplicate());
  }

  /** Decodes a whole response frame (header included). */
  public Frame decodeResponse(ByteBuf frame) {
    return clientSide.decode(frame.duplicate());
  }

  public static Error protocolError(String message) {
    return new Error(ProtocolConstants.ErrorCode.PROTOCOL_ERROR, message);
  }

  public static Error serverError(String message) {
    return new Error(ProtocolConstants.ErrorCode.SERVER_ERROR, message);
  }

  public static Error overloaded(String message) {
    return new Error(ProtocolConstants.ErrorCode.OVERLOADED, message);
  }

  public static Error invalid(String message) {
    return new Error(ProtocolConstants.ErrorCode.INVALID, message);
  }

  public static Error unprepared(byte[] preparedId) {
    return new Unprepared(
        "Prepared query with ID "
            + hex(preparedId)
            + " not found (either the query was not prepared on this host (maybe the host has been"
            + " restarted?) or you have prepared too many queries and it has been evicted from the"
            + " internal cache)",
        preparedId);
  }

  /** Lower-case hexadecimal, as Cassandra prints prepared ids. */
  /**
   * The PROTOCOL_ERROR for a request that has no place where it came, e.g. "during the handshake".
   */
  public static Error unexpected(int opcode, String where) {
    return protocolError("Unexpected message " + opcodeName(opcode) + where);
  }

  /** A request opcode's name, as logs and errors give it. */
  public static String opcodeName(int opcode) {
    return switch (opcode) {
      case ProtocolConstants.Opcode.STARTUP -> "STARTUP";
      case ProtocolConstants.Opcode.OPTIONS -> "OPTIONS";
      case ProtocolConstants.Opcode.QUERY -> "QUERY";
      case ProtocolConstants.Opcode.PREPARE -> "PREPARE";
      case ProtocolConstants.Opcode.EXECUTE -> "EXECUTE";
      case ProtocolConstants.Opcode.REGISTER -> "REGISTER";
      case ProtocolConstants.Opcode.BATCH -> "BATCH";
      case ProtocolConstants.Opcode.AUTH_RESPONSE -> "AUTH_RESPONSE";
      default -> "opcode 0x" + Integer.toHexString(opcode);
    };
  }

  public static String hex(byte[] bytes) {
    StringBuilder builder = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      builder
          .append(Character.forDigit((b >> 4) & 0xF, 16))
          .append(Character.forDigit(b & 0xF, 16));
    }
    return builder.toString();
  }
}
