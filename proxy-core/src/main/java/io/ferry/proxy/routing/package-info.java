/**
 * Routing decisions: which cluster(s) a classified request goes to, whose answer a client gets when
 * both answered, and the prepared statements Ferry remembers (each cluster's ids, the statement's
 * classification and query) so that executions are routed without parsing anything.
 */
package io.ferry.proxy.routing;
