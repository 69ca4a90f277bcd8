/**
 * TLS on both sides of Ferry: the PEM files of the settings read once at start-up, {@code
 * SslHandler}s for the client-facing listener and for each cluster's connections (with hostname
 * verification), and handshake failures explained in an operator's terms.
 */
package io.ferry.proxy.tls;
