package io.ferry.proxy.compression;

import io.ferry.proxy.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Compresses the body of every frame written on a connection that negotiated compression. Ferry
 * writes a frame in pieces (a header, then a body shared with another cluster's frame), so pieces
 * are gathered until a frame is whole; every frame is whole by the time it is flushed.
 *
 * <p>Thread policy: a channel handler, used on its channel's event loop only.
 */
public final class FrameCompressor extends ChannelOutboundHandlerAdapter {

  private final Compression compression;
  private CompositeByteBuf pending;
  private final List<ChannelPromise> pendingPromises = new ArrayList<>(2);

  public FrameCompressor(Compression compression) {
    this.compression = compression;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (!(message instanceof ByteBuf piece)) {
      ctx.write(message, promise);
      return;
    }
    if (pending == null && isWholeFrame(piece, piece.readerIndex(), piece.readableBytes())) {
      ctx.write(compressed(ctx, piece), promise);
      return;
    }
    if (pending == null) {
      pending = ctx.alloc().compositeDirectBuffer(16);
    }
    pending.addComponent(true, piece);
    if (!promise.isVoid()) {
      pendingPromises.add(promise);
    }
    while (pending.isReadable()
        && isWholeFrame(pending, pending.readerIndex(), pending.readableBytes())) {
      int length = Frames.HEADER_LENGTH + pending.getInt(pending.readerIndex() + 5);
      ByteBuf frame = pending.readRetainedSlice(length);
      boolean last = !pending.isReadable();
      ctx.write(compressed(ctx, frame), last ? promiseForPieces(ctx) : ctx.voidPromise());
    }
    if (!pending.isReadable()) {
      pending.release();
      pending = null;
    } else {
      pending.discardReadComponents();
    }
  }

  private ChannelPromise promiseForPieces(ChannelHandlerContext ctx) {
    if (pendingPromises.isEmpty()) {
      return ctx.voidPromise();
    }
    List<ChannelPromise> promises = new ArrayList<>(pendingPromises);
    pendingPromises.clear();
    ChannelPromise combined = ctx.newPromise();
    combined.addListener(
        future -> {
          for (ChannelPromise promise : promises) {
            if (future.isSuccess()) {
              promise.trySuccess();
            } else {
              promise.tryFailure(future.cause());
            }
          }
        });
    return combined;
  }

  private static boolean isWholeFrame(ByteBuf buffer, int index, int readable) {
    return readable >= Frames.HEADER_LENGTH
        && readable >= Frames.HEADER_LENGTH + buffer.getInt(index + 5);
  }

  /** The frame with its body compressed; takes ownership of {@code frame}. */
  private ByteBuf compressed(ChannelHandlerContext ctx, ByteBuf frame) {
    int bodyLength = Frames.bodyLength(frame);
    if (bodyLength == 0 || (Frames.flags(frame) & FrameDecompressor.COMPRESSED_FLAG) != 0) {
      return frame;
    }
    try {
      ByteBuf body =
          compression.compress(ctx.alloc(), frame.slice(Frames.bodyIndex(frame), bodyLength));
      ByteBuf header =
          Frames.header(ctx.alloc(), frame, Frames.streamId(frame), body.readableBytes());
      header.setByte(1, Frames.flags(frame) | FrameDecompressor.COMPRESSED_FLAG);
      CompositeByteBuf result = ctx.alloc().compositeDirectBuffer(2);
      result.addComponent(true, header).addComponent(true, body);
      return result;
    } finally {
      frame.release();
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    ReferenceCountUtil.safeRelease(pending);
    pending = null;
    for (ChannelPromise promise : pendingPromises) {
      promise.tryFailure(new IllegalStateException("connection closed before the frame was whole"));
    }
    pendingPromises.clear();
  }
}
