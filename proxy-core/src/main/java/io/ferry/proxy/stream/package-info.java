/**
 * Stream ids and deadlines: bounded id pools, the table of requests in flight on a connection by
 * stream id (with orphans: ids of given-up requests, reserved until their late answer arrives), and
 * the one deadline queue every connection times its requests with.
 */
package io.ferry.proxy.stream;
