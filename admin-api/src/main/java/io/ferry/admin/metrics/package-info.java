/**
 * The Prometheus side of Ferry's metrics: the registry (proxy meters plus JVM, process and Netty
 * metrics) and the {@code /metrics} endpoint.
 */
package io.ferry.admin.metrics;
