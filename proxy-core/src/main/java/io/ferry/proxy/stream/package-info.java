/**
 * Stream ids on cluster connections: bounded pools, the requests in flight on each connection, and
 * orphans (ids of timed-out requests, reserved until their late response arrives).
 */
package io.ferry.proxy.stream;
