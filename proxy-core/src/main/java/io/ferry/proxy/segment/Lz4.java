package io.ferry.proxy.segment;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The LZ4 block codec, loaded on first use only: connections without compression never load it.
 * Compressors and decompressors are stateless and thread-safe.
 */
final class Lz4 {

  private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();

  static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();

  /**
   * Bounds-checked against its input, which comes from the network: never the "fast" decompressor,
   * which trusts the announced length.
   */
  static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

  private Lz4() {}
}
