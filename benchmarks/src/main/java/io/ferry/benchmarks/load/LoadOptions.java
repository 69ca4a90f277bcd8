package io.ferry.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The load benchmark's command line. */
record LoadOptions(
    List<String> backends,
    List<String> scenarios,
    List<Workload> workloads,
    List<RowSize> rowSizes,
    LoadRun.Mode mode,
    Duration warmup,
    Duration duration,
    int rounds,
    int keys,
    int connectionScale,
    Path out) {

  static final List<String> BACKENDS = List.of("responder", "cassandra");
  static final List<String> SCENARIOS = List.of("direct", "relay", "ferry", "client-dual");

  static final String USAGE =
      """
      Usage: benchmarks/run load [options]

        --backends LIST       responder,cassandra (default both): an in-process CQL responder that
                              answers at once (measures the hop), or two real Cassandra 5.0 nodes
                              started on 127.0.0.91 (origin) and 127.0.0.92 (target)
        --scenarios LIST      direct,relay,ferry,client-dual (default all)
        --workloads LIST      prepared-read,prepared-write,simple-write,unlogged-batch,mixed (default all)
        --row-sizes LIST      small,1k (default both)
        --concurrency N       requests in flight, closed loop (default 64)
        --rate N              fixed rate in requests per second instead (open loop; latency from
                              the time each request was due)
        --warmup DURATION     per measurement, e.g. 3s (default 3s)
        --duration DURATION   measured time per measurement (default 7s)
        --rounds N            rounds; scenarios alternate within each round (default 3)
        --keys N              distinct partition keys (default 10000)
        --connection-scale N  idle client connections for the connection-scale run; 0 skips (default 1000)
        --out DIR             where results.md and results.json go (default bench-results/<time>)
        --smoke               a few seconds: responder, prepared read and write, 1 round, 50 connections
      """;

  static LoadOptions parse(String[] args) {
    List<String> backends = BACKENDS;
    List<String> scenarios = SCENARIOS;
    List<Workload> workloads = List.of(Workload.values());
    List<RowSize> rowSizes = List.of(RowSize.values());
    int concurrency = 64;
    int rate = 0;
    Duration warmup = Duration.ofSeconds(3);
    Duration duration = Duration.ofSeconds(7);
    int rounds = 3;
    int keys = 10_000;
    int connectionScale = 1000;
    Path out =
        Path.of(
            "bench-results",
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--smoke")) {
        backends = List.of("responder");
        workloads = List.of(Workload.PREPARED_READ, Workload.PREPARED_WRITE);
        rowSizes = List.of(RowSize.SMALL);
        warmup = Duration.ofSeconds(1);
        duration = Duration.ofSeconds(1);
        rounds = 1;
        keys = 100;
        connectionScale = 50;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--backends" -> backends = checked(split(value), BACKENDS, option);
        case "--scenarios" -> scenarios = checked(split(value), SCENARIOS, option);
        case "--workloads" -> workloads = split(value).stream().map(Workload::fromLabel).toList();
        case "--row-sizes" -> rowSizes = split(value).stream().map(RowSize::fromLabel).toList();
        case "--concurrency" -> concurrency = positive(option, value);
        case "--rate" -> rate = positive(option, value);
        case "--warmup" -> warmup = duration(option, value);
        case "--duration" -> duration = duration(option, value);
        case "--rounds" -> rounds = positive(option, value);
        case "--keys" -> keys = positive(option, value);
        case "--connection-scale" -> connectionScale = Integer.parseInt(value);
        case "--out" -> out = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    LoadRun.Mode mode = rate > 0 ? LoadRun.Mode.rate(rate) : LoadRun.Mode.concurrency(concurrency);
    return new LoadOptions(
        backends,
        scenarios,
        workloads,
        rowSizes,
        mode,
        warmup,
        duration,
        rounds,
        keys,
        connectionScale,
        out);
  }

  private static List<String> split(String value) {
    List<String> items = new ArrayList<>();
    for (String item : value.split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim().toLowerCase(Locale.ROOT));
      }
    }
    return items;
  }

  private static List<String> checked(List<String> items, List<String> allowed, String option) {
    for (String item : items) {
      if (!allowed.contains(item)) {
        throw new IllegalArgumentException(
            option
                + ": unknown '"
                + item
                + "' (expected one of "
                + String.join(", ", allowed)
                + ")");
      }
    }
    return items;
  }

  private static int positive(String option, String value) {
    int number = Integer.parseInt(value);
    if (number <= 0) {
      throw new IllegalArgumentException(option + " must be positive, not " + value);
    }
    return number;
  }

  /** {@code 500ms}, {@code 30s} (or a bare number of seconds), {@code 10m}. */
  static Duration duration(String option, String value) {
    String number = value.replaceAll("[^0-9]", "");
    if (number.isEmpty()) {
      throw new IllegalArgumentException(option + ": not a duration: " + value);
    }
    long amount = Long.parseLong(number);
    if (value.endsWith("ms")) {
      return Duration.ofMillis(amount);
    }
    if (value.endsWith("m")) {
      return Duration.ofMinutes(amount);
    }
    return Duration.ofSeconds(amount);
  }
}
