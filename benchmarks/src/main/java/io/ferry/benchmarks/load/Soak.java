package io.ferry.benchmarks.load;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The soak: many client connections through one Ferry (its own process, over the in-process
 * responder) with the mixed workload at a fixed rate for a long time, sampled every interval:
 * throughput, latency percentiles, errors, and Ferry's RSS, JVM direct memory and Netty pooled
 * memory, so that a leak or a drift shows as a curve. Documented in {@code benchmarks/README.md};
 * not part of CI.
 *
 * <p>{@code benchmarks/run soak [--connections 1000] [--rate 5000] [--duration 10m] [--interval
 * 30s] [--out DIR]}
 */
public final class Soak {

  /** One interval's figures. */
  record Sample(
      double minutes,
      double throughput,
      long errors,
      double p50Micros,
      double p99Micros,
      double maxMicros,
      long rssBytes,
      long directBytes,
      long nettyDirectBytes,
      int clientConnections) {}

  private Soak() {}

  public static void main(String[] args) throws IOException {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    int connections = 1000;
    int rate = 5000;
    Duration duration = Duration.ofMinutes(10);
    Duration interval = Duration.ofSeconds(30);
    Path out = Path.of("bench-results", "soak");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--connections" -> connections = Integer.parseInt(args[i + 1]);
        case "--rate" -> rate = Integer.parseInt(args[i + 1]);
        case "--duration" -> duration = LoadOptions.duration(args[i], args[i + 1]);
        case "--interval" -> interval = LoadOptions.duration(args[i], args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> {
          System.err.println("unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    List<Sample> samples = new ArrayList<>();
    try (Backend backend =
            Backend.responders(LoadBenchmark.ORIGIN_RESPONDER, LoadBenchmark.TARGET_RESPONDER);
        Hops.Hop ferry = Hops.ferry(backend, connections + 100, "ferry-soak", out.resolve("logs"));
        BenchClient client =
            new BenchClient(ferry.address(), List.of(ferry.address()), 10_000, connections)) {
      System.out.printf(
          "soak: %d client connections, mixed workload at %d req/s for %s, sampled every %s%n",
          connections, rate, duration, interval);
      long start = System.nanoTime();
      while (System.nanoTime() - start < duration.toNanos()) {
        LoadRun.Result result =
            new LoadRun(client, Workload.MIXED, RowSize.SMALL)
                .run(LoadRun.Mode.rate(rate), Duration.ZERO, interval, () -> {}, () -> {});
        Map<String, Double> metrics = ferry.scrapeMetrics();
        Sample sample =
            new Sample(
                (System.nanoTime() - start) / 60e9,
                result.latencies().getTotalCount() / result.seconds(),
                result.errors(),
                result.latencies().getValueAtPercentile(50) / 1e3,
                result.latencies().getValueAtPercentile(99) / 1e3,
                result.latencies().getMaxValue() / 1e3,
                ferry.process().stats().rssBytes(),
                metrics
                    .getOrDefault("jvm_buffer_memory_used_bytes{id=\"direct\",}", -1.0)
                    .longValue(),
                (long)
                    Hops.Hop.sum(metrics, "netty_allocator_memory_used", "memory_type=\"direct\""),
                metrics.getOrDefault("zdm_client_connections_total", -1.0).intValue());
        samples.add(sample);
        System.out.println(row(sample));
      }
    }
    write(out, connections, rate, duration, interval, samples);
    System.exit(0);
  }

  private static String row(Sample s) {
    return String.format(
        Locale.ROOT,
        "| %.1f | %,.0f | %d | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %d |",
        s.minutes(),
        s.throughput(),
        s.errors(),
        s.p50Micros(),
        s.p99Micros(),
        s.maxMicros(),
        s.rssBytes() / 1048576.0,
        s.directBytes() / 1048576.0,
        s.nettyDirectBytes() / 1048576.0,
        s.clientConnections());
  }

  private static void write(
      Path out,
      int connections,
      int rate,
      Duration duration,
      Duration interval,
      List<Sample> samples)
      throws IOException {
    Files.createDirectories(out);
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "Soak: %d client connections through one Ferry (over the in-process responder), mixed"
                + " workload (90%% prepared reads, 10%% prepared writes) at %d req/s for %s, one row"
                + " per %s interval.%n%n",
            connections,
            rate,
            duration,
            interval));
    md.append(
        "| minute | req/s | errors | p50 µs | p99 µs | max µs | Ferry RSS MiB | JVM direct MiB |"
            + " Netty pooled direct MiB | client connections |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Sample sample : samples) {
      md.append(row(sample)).append('\n');
    }
    Files.writeString(out.resolve("soak.md"), md.toString());
    new com.fasterxml.jackson.databind.ObjectMapper()
        .writerWithDefaultPrettyPrinter()
        .writeValue(out.resolve("soak.json").toFile(), samples);
    System.out.println(md);
  }
}
