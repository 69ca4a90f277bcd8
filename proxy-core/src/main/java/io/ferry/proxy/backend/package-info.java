/**
 * Ferry's connections to nodes, one core for all of them: {@link
 * io.ferry.proxy.backend.BackendConnection} (stream ids, typed request contexts, orphans,
 * own-request deadlines, heartbeats, compression and v5 segments), opened with the one pipeline of
 * {@link io.ferry.proxy.backend.BackendChannels}, handshaken by {@link
 * io.ferry.proxy.backend.BackendHandshake} (STARTUP, SASL, version fallback), and spoken to in
 * whole messages by {@link io.ferry.proxy.backend.CqlClient}. A client connection's data
 * connections, its mirrored-reads connection and the control connections are all made of these.
 */
package io.ferry.proxy.backend;
