package io.ferry.proxy.segment;

import io.ferry.proxy.compression.Lz4;
import io.ferry.proxy.frame.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseNotifier;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs the frames written to a channel into protocol v5 segments.
 *
 * <p>Frames may be written in pieces (a header, then a body; or composites) and are held, without
 * copying, until a flush. By then what was written must end on a frame boundary; a frame whose rest
 * has not been written yet is held back until it has been, since no segment can carry part of a
 * frame next to others. On flush, and whenever more than one maximum payload ({@value
 * ModernFraming#MAX_PAYLOAD_LENGTH} bytes) is pending, complete frames are packed in order into
 * self-contained segments of up to that many bytes; a larger frame is split over non-self-contained
 * segments of its own.
 *
 * <p>An uncompressed segment is a composite of its header, retained slices of the written buffers
 * and its CRC32 trailer: payload bytes are not copied. With {@link SegmentCompression#LZ4}, each
 * payload is compressed into a new buffer, or sent as is (uncompressed length 0) when compressing
 * does not make it smaller.
 *
 * <p>A write's promise completes when the segment holding the write's last byte has been written.
 * Writes with a void promise cost no promise: a segment that completes none is written with the
 * void promise, which fires {@code exceptionCaught} on failure as the writes' own would have.
 * Anything not yet sent when the channel closes or the handler is removed is released and its
 * promises failed, as Netty does with unflushed writes. Bytes held here count towards the channel's
 * writability only once flushed.
 *
 * <p>Thread policy: a channel handler, used on its channel's event loop only.
 */
public final class SegmentEncoder extends ChannelOutboundHandlerAdapter {

  private static final int BODY_LENGTH_OFFSET = 5;

  /** A write's promise, and where in the stream of written bytes the write ends. */
  private record PendingPromise(long end, ChannelPromise promise) {}

  private final SegmentCompression compression;
  private final ArrayDeque<PendingPromise> promises = new ArrayDeque<>();

  /** The bytes written and not sent yet, starting on a frame boundary; created on first write. */
  private CompositeByteBuf pending;

  /** The length of the complete frames at the start of {@link #pending} that will go together. */
  private int openSegmentLength;

  private long writtenBytes;
  private long sentBytes;

  public SegmentEncoder(SegmentCompression compression) {
    this.compression = compression;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buffer)) {
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new UnsupportedMessageTypeException(msg, ByteBuf.class));
      return;
    }
    if (pending == null) {
      // Never consolidated: consolidating would copy what is pending.
      pending = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
    }
    if (!buffer.isReadable() && !pending.isReadable()) {
      // Nothing is held back for it to wait behind: an empty write (a way to wait for the writes
      // before it, or to close after them) goes on as it is.
      ctx.write(buffer, promise);
      return;
    }
    writtenBytes += buffer.readableBytes();
    pending.addFlattenedComponents(true, buffer);
    if (!promise.isVoid()) {
      promises.add(new PendingPromise(writtenBytes, promise));
    }
    if (pending.readableBytes() > ModernFraming.MAX_PAYLOAD_LENGTH) {
      encode(ctx, false);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (pending != null && pending.isReadable()) {
      encode(ctx, true);
    }
    ctx.flush();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    discardPending(null);
    ctx.close(promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    discardPending(null);
  }

  /**
   * Sends the complete frames pending: all of them when flushing, otherwise only the segments that
   * are full (the last one may still take frames written later).
   */
  private void encode(ChannelHandlerContext ctx, boolean flushing) {
    int end = pending.writerIndex();
    int index = pending.readerIndex() + openSegmentLength;
    while (end - index >= Frames.HEADER_LENGTH) {
      int bodyLength = pending.getInt(index + BODY_LENGTH_OFFSET);
      if (bodyLength < 0) {
        EncoderException problem =
            new EncoderException(
                "body length "
                    + bodyLength
                    + " at byte "
                    + (index - pending.readerIndex())
                    + " of the unsent bytes (expected: a frame header, body length >= 0)");
        discardPending(problem);
        ctx.fireExceptionCaught(problem);
        return;
      }
      long frameLength = Frames.HEADER_LENGTH + (long) bodyLength;
      if (frameLength > end - index) {
        break;
      }
      if (frameLength > ModernFraming.MAX_PAYLOAD_LENGTH) {
        sendOpenSegment(ctx);
        for (long left = frameLength; left > 0; left -= ModernFraming.MAX_PAYLOAD_LENGTH) {
          sendSegment(ctx, (int) Math.min(left, ModernFraming.MAX_PAYLOAD_LENGTH), false);
        }
      } else {
        if (openSegmentLength + frameLength > ModernFraming.MAX_PAYLOAD_LENGTH) {
          sendOpenSegment(ctx);
        }
        openSegmentLength += (int) frameLength;
      }
      index += (int) frameLength;
    }
    if (flushing) {
      sendOpenSegment(ctx);
    }
    pending.discardReadComponents();
  }

  private void sendOpenSegment(ChannelHandlerContext ctx) {
    if (openSegmentLength > 0) {
      int length = openSegmentLength;
      openSegmentLength = 0;
      sendSegment(ctx, length, true);
    }
  }

  /** Sends the first {@code length} pending bytes as one segment. */
  private void sendSegment(ChannelHandlerContext ctx, int length, boolean selfContained) {
    ByteBuf segment =
        compression == SegmentCompression.LZ4
            ? compressedSegment(ctx.alloc(), length, selfContained)
            : uncompressedSegment(ctx.alloc(), length, selfContained);
    sentBytes += length;
    ctx.write(segment, segmentPromise(ctx));
  }

  /** The promise for a segment that ends at {@link #sentBytes}. */
  private ChannelPromise segmentPromise(ChannelHandlerContext ctx) {
    PendingPromise first = promises.peek();
    if (first == null || first.end() > sentBytes) {
      return ctx.voidPromise();
    }
    List<ChannelPromise> completed = new ArrayList<>(2);
    while (!promises.isEmpty() && promises.peek().end() <= sentBytes) {
      completed.add(promises.poll().promise());
    }
    // Never a write's own promise: if it was cancelled, Netty would drop the whole segment, and
    // with it the other frames the segment carries.
    ChannelPromise segmentPromise = ctx.newPromise();
    segmentPromise.addListener(
        new PromiseNotifier<Void, ChannelFuture>(completed.toArray(new ChannelPromise[0])));
    return segmentPromise;
  }

  private ByteBuf uncompressedSegment(
      ByteBufAllocator allocator, int length, boolean selfContained) {
    int start = pending.readerIndex();
    int end = start + length;
    ByteBuf header = allocator.ioBuffer(compression.headerLength());
    writeHeader(header, length, 0, selfContained);
    ByteBuf trailer = allocator.ioBuffer(Crc.CRC32_LENGTH);
    trailer.writeIntLE(Crc.crc32(pending, start, length));
    CompositeByteBuf segment = allocator.compositeBuffer(Integer.MAX_VALUE);
    segment.addComponent(true, header);
    // Slices of the written buffers themselves, not of the pending composite: discarding the
    // composite's read components shifts its indexes under any slice of it.
    for (int component = pending.toComponentIndex(start), index = start; index < end; component++) {
      ByteBuf part = pending.internalComponent(component);
      int offset = index - pending.toByteIndex(component);
      int count = Math.min(part.readableBytes() - offset, end - index);
      segment.addComponent(true, part.retainedSlice(part.readerIndex() + offset, count));
      index += count;
    }
    segment.addComponent(true, trailer);
    pending.readerIndex(end);
    return segment;
  }

  private ByteBuf compressedSegment(ByteBufAllocator allocator, int length, boolean selfContained) {
    int start = pending.readerIndex();
    int headerLength = compression.headerLength();
    int maxCompressedLength = Lz4.COMPRESSOR.maxCompressedLength(length);
    ByteBuf segment = allocator.ioBuffer(headerLength + maxCompressedLength + Crc.CRC32_LENGTH);
    ByteBuf contiguous = null;
    try {
      ByteBuffer[] parts = pending.nioBuffers(start, length);
      ByteBuffer input;
      if (parts.length == 1) {
        input = parts[0];
      } else {
        // LZ4 compresses one contiguous block: the pieces are gathered in a pooled buffer rather
        // than in the heap array that CompositeByteBuf.nioBuffer would allocate.
        contiguous = allocator.ioBuffer(length).writeBytes(pending, start, length);
        input = contiguous.nioBuffer();
      }
      int compressedLength =
          Lz4.COMPRESSOR.compress(
              input,
              input.position(),
              length,
              segment.nioBuffer(headerLength, maxCompressedLength),
              0,
              maxCompressedLength);
      if (compressedLength >= length) {
        return uncompressedSegment(allocator, length, selfContained);
      }
      writeHeader(segment, compressedLength, length, selfContained);
      segment.writerIndex(headerLength + compressedLength);
      segment.writeIntLE(Crc.crc32(segment, headerLength, compressedLength));
      pending.skipBytes(length);
      ByteBuf compressed = segment;
      segment = null;
      return compressed;
    } finally {
      if (contiguous != null) {
        contiguous.release();
      }
      if (segment != null) {
        segment.release();
      }
    }
  }

  /**
   * Writes a header: the length fields little-endian (for {@link SegmentCompression#LZ4}, {@code
   * uncompressedLength} 0 for a payload sent as is), then their CRC24.
   */
  private void writeHeader(
      ByteBuf out, int payloadLength, int uncompressedLength, boolean selfContained) {
    int start = out.writerIndex();
    if (compression == SegmentCompression.LZ4) {
      long fields =
          payloadLength | (long) uncompressedLength << 17 | (selfContained ? 1L << 34 : 0);
      out.writeIntLE((int) fields);
      out.writeByte((int) (fields >>> 32));
    } else {
      out.writeMediumLE(payloadLength | (selfContained ? 1 << 17 : 0));
    }
    out.writeMediumLE(Crc.crc24(out, start, out.writerIndex() - start));
  }

  /** Releases what is pending and fails its promises; the stream starts afresh after it. */
  private void discardPending(Throwable cause) {
    if (pending != null) {
      pending.release();
      pending = null;
    }
    openSegmentLength = 0;
    sentBytes = writtenBytes;
    if (!promises.isEmpty()) {
      Throwable failure = cause != null ? cause : new ClosedChannelException();
      for (PendingPromise write = promises.poll(); write != null; write = promises.poll()) {
        write.promise().tryFailure(failure);
      }
    }
  }
}
