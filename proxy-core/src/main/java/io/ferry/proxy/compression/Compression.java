package io.ferry.proxy.compression;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.xerial.snappy.Snappy;

/** The frame body compression algorithms of protocol v3 and v4, by their STARTUP name. */
public enum Compression {

  /** LZ4 block, preceded by the uncompressed length as a big-endian int. */
  LZ4("lz4") {
    @Override
    public ByteBuf compress(ByteBufAllocator allocator, ByteBuf body) {
      int length = body.readableBytes();
      ByteBuf out = allocator.directBuffer(4 + Lz4.COMPRESSOR.maxCompressedLength(length));
      try {
        out.writeInt(length);
        ByteBuffer destination = out.nioBuffer(4, out.capacity() - 4);
        int written =
            Lz4.COMPRESSOR.compress(
                body.nioBuffer(), 0, length, destination, 0, destination.remaining());
        out.writerIndex(4 + written);
        return out;
      } catch (RuntimeException e) {
        out.release();
        throw e;
      }
    }

    @Override
    public ByteBuf decompress(ByteBufAllocator allocator, ByteBuf body, int maxLength) {
      int length = body.getInt(body.readerIndex());
      checkLength(length, maxLength);
      ByteBuf out = allocator.directBuffer(length, length);
      try {
        ByteBuffer source = body.nioBuffer(body.readerIndex() + 4, body.readableBytes() - 4);
        int written =
            Lz4.DECOMPRESSOR.decompress(
                source, 0, source.remaining(), out.nioBuffer(0, length), 0, length);
        if (written != length) {
          throw new CompressionException(
              "LZ4 body announced " + length + " bytes but held " + written);
        }
        out.writerIndex(length);
        return out;
      } catch (RuntimeException e) {
        out.release();
        throw e instanceof CompressionException ce
            ? ce
            : new CompressionException("corrupt LZ4 body: " + e.getMessage());
      }
    }
  },

  /** Raw Snappy (not framed), as Cassandra's SnappyCompressor. */
  SNAPPY("snappy") {
    @Override
    public ByteBuf compress(ByteBufAllocator allocator, ByteBuf body) {
      ByteBuf source = direct(allocator, body);
      ByteBuf out = allocator.directBuffer(Snappy.maxCompressedLength(source.readableBytes()));
      try {
        int written = Snappy.compress(source.nioBuffer(), out.nioBuffer(0, out.capacity()));
        out.writerIndex(written);
        return out;
      } catch (IOException | RuntimeException e) {
        out.release();
        throw new CompressionException("Snappy compression failed: " + e.getMessage());
      } finally {
        if (source != body) {
          source.release();
        }
      }
    }

    @Override
    public ByteBuf decompress(ByteBufAllocator allocator, ByteBuf body, int maxLength) {
      ByteBuf source = direct(allocator, body);
      ByteBuf out = null;
      try {
        ByteBuffer input = source.nioBuffer();
        int length = Snappy.uncompressedLength(input);
        checkLength(length, maxLength);
        out = allocator.directBuffer(length, length);
        int written = Snappy.uncompress(input, out.nioBuffer(0, length));
        out.writerIndex(written);
        return out;
      } catch (IOException | RuntimeException e) {
        if (out != null) {
          out.release();
        }
        throw e instanceof CompressionException ce
            ? ce
            : new CompressionException("corrupt Snappy body: " + e.getMessage());
      } finally {
        if (source != body) {
          source.release();
        }
      }
    }
  };

  private final String option;

  Compression(String option) {
    this.option = option;
  }

  /** The name in STARTUP's {@code COMPRESSION} and SUPPORTED's list. */
  public String option() {
    return option;
  }

  /** The algorithm for a STARTUP {@code COMPRESSION} value, or {@code null} if unknown. */
  public static Compression fromOption(String option) {
    if (option == null) {
      return null;
    }
    return switch (option.toLowerCase(Locale.ROOT)) {
      case "lz4" -> LZ4;
      case "snappy" -> SNAPPY;
      default -> null;
    };
  }

  /**
   * A new buffer with {@code body}'s readable bytes compressed; {@code body} is neither released
   * nor moved.
   */
  public abstract ByteBuf compress(ByteBufAllocator allocator, ByteBuf body);

  /**
   * A new buffer with {@code body} decompressed; {@code body} is neither released nor moved.
   *
   * @throws CompressionException for a corrupt body or one that would exceed {@code maxLength}
   */
  public abstract ByteBuf decompress(ByteBufAllocator allocator, ByteBuf body, int maxLength);

  private static void checkLength(int length, int maxLength) {
    if (length < 0 || length > maxLength) {
      throw new CompressionException(
          "compressed body announces "
              + length
              + " bytes; at most "
              + maxLength
              + " are accepted (max-frame-length)");
    }
  }

  /** Snappy's ByteBuffer API needs direct memory. */
  private static ByteBuf direct(ByteBufAllocator allocator, ByteBuf body) {
    if (body.isDirect() && body.nioBufferCount() == 1) {
      return body;
    }
    ByteBuf copy = allocator.directBuffer(body.readableBytes());
    copy.writeBytes(body, body.readerIndex(), body.readableBytes());
    return copy;
  }

  /** A body that cannot be compressed or decompressed. */
  public static final class CompressionException extends RuntimeException {
    public CompressionException(String message) {
      super(message);
    }
  }
}
