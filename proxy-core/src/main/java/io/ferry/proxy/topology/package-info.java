/**
 * Topology virtualization: the Ferry instances presented to drivers as the cluster's nodes, with
 * balanced tokens, through {@code system.local} and {@code system.peers} answered by Ferry itself,
 * unprepared and prepared.
 */
package io.ferry.proxy.topology;
