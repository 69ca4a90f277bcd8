/**
 * Ferry's benchmarks: the end-to-end load benchmark in {@code load}; the JMH micro-benchmarks live
 * in the packages of the code they measure ({@code io.ferry.proxy.frame}, {@code ...routing}, ...).
 */
package io.ferry.benchmarks;
