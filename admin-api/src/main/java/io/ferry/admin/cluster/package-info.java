/**
 * The clusters the admin API manages (the proxy's origin and target, by id): each one's CQL
 * session, JMX connections, request store, leases and node commands, and {@code GET
 * /cluster-configs}.
 */
package io.ferry.admin.cluster;
