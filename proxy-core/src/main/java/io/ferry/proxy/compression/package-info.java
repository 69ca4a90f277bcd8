/**
 * Frame compression of protocol v3 and v4 (the {@code COMPRESSION} a client asks for in STARTUP):
 * LZ4 and Snappy bodies, through the lz4-java and snappy-java libraries. Ferry decompresses what it
 * receives, so that routing reads plain bytes, and compresses what it sends on connections that
 * negotiated compression, towards the client and towards both clusters. (v5 compresses segments,
 * not frames: see {@code io.ferry.proxy.segment}.)
 *
 * <p>Thread policy: the handlers are per channel and run on its event loop; {@link
 * io.ferry.proxy.compression.Compression} is stateless and thread-safe.
 *
 * <p>Ownership: the decompressor releases each compressed frame and passes on a new one; the
 * compressor owns what is written to it until it writes the compressed frame.
 */
package io.ferry.proxy.compression;
