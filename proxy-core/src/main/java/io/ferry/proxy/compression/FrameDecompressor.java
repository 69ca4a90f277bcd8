package io.ferry.proxy.compression;

import io.ferry.proxy.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Decompresses frames whose header has the compression flag, after the frame decoder: the next
 * handler sees plain frames. A body that does not decompress becomes a {@link CorruptFrame}, so
 * that only its request fails.
 *
 * <p>Thread policy: a channel handler, used on its channel's event loop only.
 */
public final class FrameDecompressor extends ChannelInboundHandlerAdapter {

  /** A compressed frame whose body could not be decompressed; its bytes were released. */
  public record CorruptFrame(int version, int streamId, int opcode, String reason) {}

  static final int COMPRESSED_FLAG = 0x01;

  private final Compression compression;
  private final int maxBodyLength;

  public FrameDecompressor(Compression compression, int maxBodyLength) {
    this.compression = compression;
    this.maxBodyLength = maxBodyLength;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof ByteBuf frame) || (Frames.flags(frame) & COMPRESSED_FLAG) == 0) {
      ctx.fireChannelRead(message);
      return;
    }
    ByteBuf body;
    try {
      body =
          compression.decompress(
              ctx.alloc(),
              frame.slice(Frames.bodyIndex(frame), Frames.bodyLength(frame)),
              maxBodyLength);
    } catch (Compression.CompressionException | IndexOutOfBoundsException e) {
      CorruptFrame corrupt =
          new CorruptFrame(
              Frames.version(frame), Frames.streamId(frame), Frames.opcode(frame), e.getMessage());
      frame.release();
      ctx.fireChannelRead(corrupt);
      return;
    }
    ByteBuf header =
        Frames.header(ctx.alloc(), frame, Frames.streamId(frame), body.readableBytes());
    header.setByte(1, Frames.flags(frame) & ~COMPRESSED_FLAG);
    frame.release();
    CompositeByteBuf plain = ctx.alloc().compositeDirectBuffer(2);
    plain.addComponent(true, header).addComponent(true, body);
    ctx.fireChannelRead(plain);
  }
}
