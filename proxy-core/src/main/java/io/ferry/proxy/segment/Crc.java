package io.ferry.proxy.segment;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The two checksums of protocol v5 segments: a CRC24 over the header's length and flag bytes, and a
 * CRC32 over the payload. Both are computed over bytes in the order they travel on the wire.
 *
 * <p>Stateless; safe from any thread.
 */
final class Crc {

  static final int CRC24_LENGTH = 3;
  static final int CRC32_LENGTH = 4;

  // Koopman's polynomial for 24 bits (x^24 term included), and the initial value, both from the
  // v5 spec (section 2.1).
  private static final int CRC24_INITIAL = 0x875060;
  private static final int CRC24_POLYNOMIAL = 0x1974F0B;

  // The spec seeds the payload CRC32 with these four bytes, so that an all-zero payload does not
  // have an all-zero checksum.
  private static final byte[] CRC32_SEED = {(byte) 0xFA, (byte) 0x2D, (byte) 0x55, (byte) 0xCA};

  private Crc() {}

  /** The CRC24 of {@code length} bytes (at most 8) starting at the absolute {@code index}. */
  static int crc24(ByteBuf buffer, int index, int length) {
    int crc = CRC24_INITIAL;
    for (int end = index + length; index < end; index++) {
      crc ^= buffer.getUnsignedByte(index) << 16;
      for (int bit = 0; bit < 8; bit++) {
        crc <<= 1;
        // The polynomial's x^24 term clears bit 24 again: the value stays within 24 bits.
        if ((crc & 0x1000000) != 0) {
          crc ^= CRC24_POLYNOMIAL;
        }
      }
    }
    return crc;
  }

  /**
   * The seeded CRC32 of {@code length} bytes starting at the absolute {@code index}, read in place
   * (a composite buffer is read component by component, without merging).
   */
  static int crc32(ByteBuf buffer, int index, int length) {
    CRC32 crc = new CRC32();
    crc.update(CRC32_SEED);
    if (buffer.hasArray()) {
      crc.update(buffer.array(), buffer.arrayOffset() + index, length);
    } else if (buffer.nioBufferCount() == 1) {
      crc.update(buffer.nioBuffer(index, length));
    } else {
      for (ByteBuffer part : buffer.nioBuffers(index, length)) {
        crc.update(part);
      }
    }
    return (int) crc.getValue();
  }
}
