package io.ferry.proxy.segment;

import io.ferry.proxy.compression.Compression;

/**
 * How a connection's segments are encoded, fixed for its lifetime by the {@code COMPRESSION} option
 * of its STARTUP: v5 knows no compression but LZ4.
 */
public enum SegmentCompression {

  /**
   * A 6-byte header: 3 bytes little-endian of the payload length (17 bits) and the self-contained
   * flag (bit 17), then their CRC24.
   */
  NONE(6),

  /**
   * An 8-byte header: 5 bytes little-endian of the payload length (17 bits), the uncompressed
   * length (17 bits, 0 when the payload is sent as is because compressing did not shrink it) and
   * the self-contained flag (bit 34), then their CRC24. The payload is a raw LZ4 block.
   */
  LZ4(8);

  private final int headerLength;

  SegmentCompression(int headerLength) {
    this.headerLength = headerLength;
  }

  /** The segment compression for a STARTUP's {@code COMPRESSION} ({@code null} for none). */
  public static SegmentCompression of(Compression compression) {
    return compression == Compression.LZ4 ? LZ4 : NONE;
  }

  /** The header's length, CRC24 included. */
  public int headerLength() {
    return headerLength;
  }
}
