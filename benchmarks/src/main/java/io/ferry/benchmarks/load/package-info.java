/**
 * The end-to-end load benchmark: one workload run with the Java driver against going direct, a
 * plain TCP relay, Ferry, and client-side dual writes, side by side, over real Cassandra nodes or
 * an in-process responder, reported as ratios within one run.
 */
package io.ferry.benchmarks.load;
