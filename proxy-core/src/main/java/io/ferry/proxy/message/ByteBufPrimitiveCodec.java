package io.ferry.proxy.message;

import com.datastax.oss.protocol.internal.PrimitiveCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The native-protocol library's primitive types ({@code [int]}, {@code [string]}, ...) on Netty
 * buffers.
 */
public final class ByteBufPrimitiveCodec implements PrimitiveCodec<ByteBuf> {

  private final ByteBufAllocator allocator;

  public ByteBufPrimitiveCodec(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  @Override
  public ByteBuf allocate(int size) {
    return allocator.ioBuffer(size, size);
  }

  @Override
  public void release(ByteBuf buffer) {
    buffer.release();
  }

  @Override
  public int sizeOf(ByteBuf buffer) {
    return buffer.readableBytes();
  }

  @Override
  public ByteBuf concat(ByteBuf left, ByteBuf right) {
    CompositeByteBuf composite = allocator.compositeBuffer(2);
    composite.addComponents(true, left, right);
    return composite;
  }

  @Override
  public void markReaderIndex(ByteBuf source) {
    source.markReaderIndex();
  }

  @Override
  public void resetReaderIndex(ByteBuf source) {
    source.resetReaderIndex();
  }

  @Override
  public byte readByte(ByteBuf source) {
    return source.readByte();
  }

  @Override
  public int readInt(ByteBuf source) {
    return source.readInt();
  }

  @Override
  public int readInt(ByteBuf source, int offset) {
    return source.getInt(source.readerIndex() + offset);
  }

  @Override
  public InetAddress readInetAddr(ByteBuf source) {
    int length = source.readUnsignedByte();
    byte[] bytes = new byte[length];
    source.readBytes(bytes);
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("invalid [inetaddr] of " + length + " bytes", e);
    }
  }

  @Override
  public long readLong(ByteBuf source) {
    return source.readLong();
  }

  @Override
  public int readUnsignedShort(ByteBuf source) {
    return source.readUnsignedShort();
  }

  @Override
  public ByteBuffer readBytes(ByteBuf source) {
    int length = source.readInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[checkReadable(source, length, "[bytes]")];
    source.readBytes(bytes);
    return ByteBuffer.wrap(bytes);
  }

  @Override
  public byte[] readShortBytes(ByteBuf source) {
    byte[] bytes = new byte[checkReadable(source, source.readUnsignedShort(), "[short bytes]")];
    source.readBytes(bytes);
    return bytes;
  }

  /**
   * The length a value announces, if that many bytes are left to read: checked before anything is
   * allocated for it, or a few bytes announcing 2 GiB would cost 2 GiB of heap.
   */
  private static int checkReadable(ByteBuf source, int length, String type) {
    if (length > source.readableBytes()) {
      throw new IndexOutOfBoundsException(
          type
              + " of "
              + length
              + " bytes, past the end of the frame ("
              + source.readableBytes()
              + " bytes left)");
    }
    return length;
  }

  @Override
  public String readString(ByteBuf source) {
    int length = source.readUnsignedShort();
    String value = source.toString(source.readerIndex(), length, StandardCharsets.UTF_8);
    source.skipBytes(length);
    return value;
  }

  @Override
  public String readLongString(ByteBuf source) {
    int length = source.readInt();
    if (length < 0) {
      throw new IllegalArgumentException("negative [long string] length " + length);
    }
    String value = source.toString(source.readerIndex(), length, StandardCharsets.UTF_8);
    source.skipBytes(length);
    return value;
  }

  @Override
  public ByteBuf readRetainedSlice(ByteBuf source, int sliceLength) {
    return source.readRetainedSlice(sliceLength);
  }

  @Override
  public void updateCrc(ByteBuf source, CRC32 crc) {
    crc.update(source.nioBuffer());
  }

  @Override
  public void writeByte(byte value, ByteBuf destination) {
    destination.writeByte(value);
  }

  @Override
  public void writeInt(int value, ByteBuf destination) {
    destination.writeInt(value);
  }

  @Override
  public void writeInetAddr(InetAddress address, ByteBuf destination) {
    byte[] bytes = address.getAddress();
    destination.writeByte(bytes.length);
    destination.writeBytes(bytes);
  }

  @Override
  public void writeLong(long value, ByteBuf destination) {
    destination.writeLong(value);
  }

  @Override
  public void writeUnsignedShort(int value, ByteBuf destination) {
    destination.writeShort(value);
  }

  @Override
  public void writeString(String value, ByteBuf destination) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    destination.writeShort(bytes.length);
    destination.writeBytes(bytes);
  }

  @Override
  public void writeLongString(String value, ByteBuf destination) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    destination.writeInt(bytes.length);
    destination.writeBytes(bytes);
  }

  @Override
  public void writeBytes(ByteBuffer value, ByteBuf destination) {
    if (value == null) {
      destination.writeInt(-1);
    } else {
      destination.writeInt(value.remaining());
      destination.writeBytes(value.duplicate());
    }
  }

  @Override
  public void writeBytes(byte[] value, ByteBuf destination) {
    if (value == null) {
      destination.writeInt(-1);
    } else {
      destination.writeInt(value.length);
      destination.writeBytes(value);
    }
  }

  @Override
  public void writeShortBytes(byte[] value, ByteBuf destination) {
    destination.writeShort(value.length);
    destination.writeBytes(value);
  }
}
