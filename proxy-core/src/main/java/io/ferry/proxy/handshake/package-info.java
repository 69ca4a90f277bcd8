/**
 * A client connection's handshake: which protocol versions a client may use given what Ferry and
 * both clusters speak, the SUPPORTED answer Ferry gives, what a STARTUP may ask for, and {@link
 * io.ferry.proxy.handshake.ClientHandshake}, which takes a client from its first frame to READY
 * with both clusters (STARTUP forwarded to both, the client's credentials to one, Ferry's own to
 * the other).
 */
package io.ferry.proxy.handshake;
