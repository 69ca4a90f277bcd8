/**
 * The client-facing side: the listener, each client connection's handshake, request routing to its
 * cluster connections, response aggregation, timeouts and draining.
 */
package io.ferry.proxy.client;
