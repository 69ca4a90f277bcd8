/**
 * Connections to the clusters' nodes: the per-client request connections, the control connection of
 * each cluster, node discovery and assignment, and heartbeats.
 */
package io.ferry.proxy.cluster;
