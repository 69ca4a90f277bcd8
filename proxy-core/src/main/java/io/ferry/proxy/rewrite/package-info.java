/**
 * Request rewrites that make a write identical on both clusters: a client-side timestamp where the
 * client sent none, and {@code now()} replaced by one value.
 */
package io.ferry.proxy.rewrite;
