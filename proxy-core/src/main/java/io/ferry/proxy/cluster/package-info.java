/**
 * The clusters as Ferry knows them: each cluster's control connection (topology, system tables,
 * events, reconnection), the nodes a client connection may use (host assignment, fallbacks) and the
 * connector that opens a client connection's backend connection to one of them.
 */
package io.ferry.proxy.cluster;
