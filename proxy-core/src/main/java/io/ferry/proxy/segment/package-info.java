/**
 * Protocol v5 "modern framing": after the handshake, frames travel inside checksummed, optionally
 * LZ4-compressed segments of up to 128 KiB - 1 of payload, either self-contained (one or more whole
 * frames) or one piece of a larger frame.
 *
 * <p>Segments sit below the frame layer and leave it unchanged: the {@link
 * io.ferry.proxy.segment.SegmentDecoder} turns segments back into the bytes of the frames they
 * carry, which the {@link io.ferry.proxy.frame.FrameDecoder} after it frames as in v4; the {@link
 * io.ferry.proxy.segment.SegmentEncoder} packs written frames into segments. Frames inside segments
 * keep the 9-byte header (version byte 5 or 0x85) and are never compressed themselves.
 *
 * <p>The switch happens once per connection, after the STARTUP exchange: for a client connection,
 * once Ferry has written READY or AUTHENTICATE to the client; for a cluster connection, once Ferry
 * has read READY or AUTHENTICATE from the node. {@link
 * io.ferry.proxy.segment.ModernFraming#install} adds both handlers at that moment; its caller
 * decides when, on the channel's event loop.
 *
 * <p>Ownership: the decoder passes each payload on as a buffer the next handler owns, a retained
 * slice of the received bytes when uncompressed. The encoder takes ownership of what is written to
 * it; an uncompressed segment is a composite of retained slices of those buffers, so no payload
 * byte is copied in either direction without compression. Thread policy: every handler here is used
 * on its channel's event loop only.
 */
package io.ferry.proxy.segment;
