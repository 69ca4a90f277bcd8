/**
 * The client-side handshake: which protocol versions a client may use given what Ferry and both
 * clusters speak, the SUPPORTED answer Ferry gives, and what a STARTUP may ask for.
 */
package io.ferry.proxy.handshake;
