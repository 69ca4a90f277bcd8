package io.ferry.benchmarks.load;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end load benchmark (see {@code benchmarks/README.md}): for each backend, the same
 * workloads through each scenario, rounds interleaving the scenarios so that the machine's noise
 * falls on all of them alike; then the connection-scale run; then the report.
 *
 * <ul>
 *   <li>{@code direct}: the driver to origin, the lower bound for a read;
 *   <li>{@code relay}: through a plain TCP relay (its own process) to origin: the physical limit of
 *       any proxy hop;
 *   <li>{@code ferry}: through Ferry (its own process, default settings): reads from origin, writes
 *       to both;
 *   <li>{@code client-dual}: writes sent by the application to origin and target through two
 *       sessions, waiting for both: dual writes without a proxy. Reads go to origin.
 * </ul>
 */
public final class LoadBenchmark {

  static final String ORIGIN_CASSANDRA = "127.0.0.91";
  static final String TARGET_CASSANDRA = "127.0.0.92";
  static final String ORIGIN_RESPONDER = "127.0.0.93";
  static final String TARGET_RESPONDER = "127.0.0.94";

  private final LoadOptions options;
  private final PrintStream out;
  private final List<Measurement> measurements = new ArrayList<>();

  LoadBenchmark(LoadOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public static void main(String[] args) {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(LoadOptions.USAGE);
      return;
    }
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(LoadOptions.USAGE);
      System.exit(2);
      return;
    }
    new LoadBenchmark(options, System.out).run("benchmarks/run load " + String.join(" ", args));
    System.exit(0);
  }

  /** Runs everything and writes the report; returns the measurements. */
  List<Measurement> run(String command) {
    ConnectionScale.Result scale = null;
    for (String backendName : options.backends()) {
      out.println("== backend: " + backendName);
      try (Backend backend = backend(backendName)) {
        backend.prepare(options.keys(), out);
        runScenarios(backend);
        if (backendName.equals("responder") && options.connectionScale() > 0) {
          scale = connectionScale(backend);
        }
      }
    }
    String report = Report.write(options.out(), command, environment(), measurements, scale);
    out.println();
    out.println(report);
    out.println("results in " + options.out().toAbsolutePath());
    return measurements;
  }

  private Backend backend(String name) {
    return name.equals("cassandra")
        ? Backend.cassandra(ORIGIN_CASSANDRA, TARGET_CASSANDRA, out)
        : Backend.responders(ORIGIN_RESPONDER, TARGET_RESPONDER);
  }

  private void runScenarios(Backend backend) {
    List<String> scenarios = options.scenarios();
    Hops.Hop relay = null;
    Hops.Hop ferry = null;
    Map<String, BenchClient> clients = new LinkedHashMap<>();
    try {
      if (scenarios.contains("relay")) {
        relay = Hops.relay(backend.origin(), logDir());
      }
      if (scenarios.contains("ferry")) {
        ferry = Hops.ferry(backend, 1000, "ferry-" + backend.name(), logDir());
      }
      for (String scenario : scenarios) {
        clients.put(scenario, client(scenario, backend, relay, ferry));
      }
      for (int round = 1; round <= options.rounds(); round++) {
        List<String> order = new ArrayList<>(scenarios);
        // a different scenario goes first in each round: none always runs on a warmer machine
        Collections.rotate(order, -(round - 1));
        for (Workload workload : options.workloads()) {
          for (RowSize size : options.rowSizes()) {
            for (String scenario : order) {
              if (scenario.equals("client-dual") && !workload.writes()) {
                continue; // its reads are direct reads
              }
              Hops.Hop hop =
                  scenario.equals("relay") ? relay : scenario.equals("ferry") ? ferry : null;
              Measurement measurement =
                  measure(backend, scenario, clients.get(scenario), hop, workload, size, round);
              measurements.add(measurement);
              out.printf(
                  Locale.ROOT,
                  "round %d %-9s %-14s %-5s %-11s %,9.0f req/s  p50 %6.0f µs  p99 %7.0f µs%s%s%n",
                  round,
                  backend.name(),
                  workload.label(),
                  size.label(),
                  scenario,
                  measurement.throughput(),
                  measurement.p50Micros(),
                  measurement.p99Micros(),
                  measurement.hopCpuMicrosPerRequest() == null
                      ? ""
                      : String.format(
                          Locale.ROOT,
                          "  hop CPU %.1f µs/req",
                          measurement.hopCpuMicrosPerRequest()),
                  measurement.errors() == 0 ? "" : "  errors " + measurement.errors());
            }
          }
        }
      }
    } finally {
      clients.values().forEach(BenchClient::close);
      if (relay != null) {
        relay.close();
      }
      if (ferry != null) {
        ferry.close();
      }
    }
  }

  private BenchClient client(String scenario, Backend backend, Hops.Hop relay, Hops.Hop ferry) {
    int keys = options.keys();
    return switch (scenario) {
      case "direct" -> new BenchClient(backend.origin(), List.of(backend.origin()), keys);
      case "relay" -> new BenchClient(relay.address(), List.of(relay.address()), keys);
      case "ferry" -> new BenchClient(ferry.address(), List.of(ferry.address()), keys);
      case "client-dual" ->
          new BenchClient(backend.origin(), List.of(backend.origin(), backend.target()), keys);
      default -> throw new IllegalArgumentException(scenario);
    };
  }

  private Measurement measure(
      Backend backend,
      String scenario,
      BenchClient client,
      Hops.Hop hop,
      Workload workload,
      RowSize size,
      int round) {
    ProcessStats[] hopStats = new ProcessStats[2];
    ProcessStats[] selfStats = new ProcessStats[2];
    LoadRun.Result result =
        new LoadRun(client, workload, size)
            .run(
                options.mode(),
                options.warmup(),
                options.duration(),
                () -> {
                  selfStats[0] = ProcessStats.self();
                  hopStats[0] = hop == null ? null : hop.process().stats();
                },
                () -> {
                  selfStats[1] = ProcessStats.self();
                  hopStats[1] = hop == null ? null : hop.process().stats();
                });
    return LoadRun.measure(
        backend.name(),
        scenario,
        workload,
        size.label(),
        round,
        options.mode(),
        result,
        hop == null ? null : () -> hopStats[1].cpuSince(hopStats[0]),
        hop == null ? null : hopStats[1].rssBytes(),
        selfStats[1].cpuSince(selfStats[0]));
  }

  private ConnectionScale.Result connectionScale(Backend backend) {
    out.println("== connection scale: " + options.connectionScale() + " idle clients");
    int maxClients = options.connectionScale() + 100;
    try (Hops.Hop ferry = Hops.ferry(backend, maxClients, "ferry-connection-scale", logDir())) {
      ConnectionScale.Result result = ConnectionScale.measure(ferry, options.connectionScale());
      out.println(result);
      return result;
    }
  }

  private java.nio.file.Path logDir() {
    return options.out().resolve("logs");
  }

  private Map<String, Object> environment() {
    Map<String, Object> environment = new LinkedHashMap<>();
    environment.put("cores", Runtime.getRuntime().availableProcessors());
    environment.put(
        "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    environment.put("mode", options.mode().label());
    environment.put(
        "per measurement",
        options.warmup().toSeconds()
            + " s warm-up, "
            + options.duration().toSeconds()
            + " s measured");
    environment.put("rounds", options.rounds());
    environment.put("hop JVM options", String.join(" ", ChildProcess.JVM_OPTIONS));
    environment.put(
        "tool CPU", "the driver's, plus the responder's when the backend is the responder");
    return environment;
  }
}
