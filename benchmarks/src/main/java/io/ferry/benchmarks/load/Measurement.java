package io.ferry.benchmarks.load;

/**
 * What one scenario did with one workload in one round: throughput, latency percentiles in
 * microseconds, and what the hop in front of the backend (Ferry or the relay) cost, from {@code
 * /proc}. {@code hopCpuMicrosPerRequest} and {@code hopRssBytes} are null when there is no hop.
 */
record Measurement(
    String backend,
    String scenario,
    String workload,
    String rowSize,
    int round,
    String mode,
    long requests,
    long errors,
    String firstError,
    double seconds,
    double throughput,
    double p50Micros,
    double p99Micros,
    double p999Micros,
    double maxMicros,
    Double hopCpuMicrosPerRequest,
    Long hopRssBytes,
    double clientCpuMicrosPerRequest) {}
