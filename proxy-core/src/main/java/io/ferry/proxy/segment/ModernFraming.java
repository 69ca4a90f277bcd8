package io.ferry.proxy.segment;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import io.ferry.proxy.frame.HandlerNames;
import io.netty.channel.ChannelPipeline;

/** Switches a connection's pipeline from plain frames to protocol v5 segments. */
public final class ModernFraming {

  /** The largest segment payload: what a 17-bit length can say, 128 KiB - 1. */
  public static final int MAX_PAYLOAD_LENGTH = (1 << 17) - 1;

  private ModernFraming() {}

  /**
   * Switches a connection to a node to segments when {@code opcode} is that of the node's answer to
   * STARTUP that starts modern framing (READY or AUTHENTICATE): call it with every frame read until
   * it returns true.
   *
   * @return whether the connection now uses segments
   */
  public static boolean installOnHandshakeAnswer(
      ChannelPipeline pipeline,
      String frameDecoderName,
      int opcode,
      SegmentCompression compression) {
    if (opcode != ProtocolConstants.Opcode.READY
        && opcode != ProtocolConstants.Opcode.AUTHENTICATE) {
      return false;
    }
    install(pipeline, frameDecoderName, compression);
    return true;
  }

  /**
   * Adds a {@link SegmentDecoder} and a {@link SegmentEncoder} just before the frame decoder, so
   * that inbound bytes are unwrapped before being framed and frames written from the frame
   * decoder's side (the channel, or any handler after it) are wrapped before they reach the socket
   * or a TLS handler nearer the head.
   *
   * <p>Call it on the channel's event loop, at the point the v5 spec sets (section 2.3.1):
   *
   * <ul>
   *   <li>on a client connection, right after writing READY or AUTHENTICATE to the client, flushed
   *       or not. That write has already passed the encoder's place, so it leaves as a plain frame,
   *       and every later write is segmented. A client sends nothing between STARTUP and its
   *       answer, so no bytes of the client's first segment can be sitting in the frame decoder,
   *       which would read them as frames; a client that does is broken anyway.
   *   <li>on a cluster connection, from the handler that reads READY or AUTHENTICATE from the node,
   *       before writing anything else to it. The node sends nothing after READY or AUTHENTICATE
   *       until it is asked, so again no segment bytes can be sitting in the frame decoder.
   * </ul>
   *
   * @throws IllegalStateException off the channel's event loop: a write issued from another thread
   *     before the call could otherwise reach the pipeline after the encoder and be segmented
   * @throws java.util.NoSuchElementException if there is no handler named {@code frameDecoderName}
   */
  public static void install(
      ChannelPipeline pipeline, String frameDecoderName, SegmentCompression compression) {
    if (!pipeline.channel().eventLoop().inEventLoop()) {
      throw new IllegalStateException(
          "modern framing installed off the event loop of " + pipeline.channel());
    }
    pipeline.addBefore(
        frameDecoderName, HandlerNames.SEGMENT_DECODER, new SegmentDecoder(compression));
    pipeline.addBefore(
        frameDecoderName, HandlerNames.SEGMENT_ENCODER, new SegmentEncoder(compression));
  }
}
