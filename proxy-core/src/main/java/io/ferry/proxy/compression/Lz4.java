package io.ferry.proxy.compression;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The LZ4 block codec of both LZ4 frame compression (v3/v4) and LZ4 segments (v5), loaded on first
 * use only: connections without compression never load it. Compressors and decompressors are
 * stateless and thread-safe.
 */
public final class Lz4 {

  private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();

  public static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();

  /**
   * Bounds-checked against its input, which comes from the network: never the "fast" decompressor,
   * which trusts the announced length.
   */
  public static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

  private Lz4() {}
}
