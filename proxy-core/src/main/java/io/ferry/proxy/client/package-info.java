/**
 * The client-facing side as Netty sees it: the listener's pipeline, the connection limit, each
 * client connection's thin handler (which hands frames to the handshake, then to the request
 * exchange), and the recall of connections from fallback nodes.
 */
package io.ferry.proxy.client;
