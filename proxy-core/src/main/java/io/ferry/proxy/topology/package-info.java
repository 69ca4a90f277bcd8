/**
 * Topology virtualization: the Ferry instances presented to drivers as the cluster's nodes, with
 * balanced tokens, through {@code system.local} and {@code system.peers} answered by Ferry itself.
 */
package io.ferry.proxy.topology;
