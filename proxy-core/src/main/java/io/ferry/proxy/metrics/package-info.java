/**
 * Meter definitions with the ZDM Proxy's metric names and labels (names live here and nowhere
 * else), resolved once so that recording costs no allocation on the request path.
 */
package io.ferry.proxy.metrics;
