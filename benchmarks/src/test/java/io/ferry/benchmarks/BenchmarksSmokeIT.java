package io.ferry.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmarks compiling and running, in seconds: the load benchmark's smoke mode (every
 * scenario over the in-process responder) and one short iteration of every JMH benchmark, both run
 * as a user would, from the shaded jar.
 */
class BenchmarksSmokeIT {

  private static final Path JAR = Path.of(System.getProperty("ferry.benchmarks.jar"));

  @Test
  void should_run_every_scenario_of_the_load_benchmark_without_errors() throws Exception {
    Path out = Path.of("target", "bench-smoke");
    runToSuccess(
        List.of(
            "-cp",
            JAR.toString(),
            "io.ferry.benchmarks.load.LoadBenchmark",
            "--smoke",
            "--out",
            out.toString()),
        out.resolve("output.txt"));

    JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    List<String> scenarios = new ArrayList<>();
    for (JsonNode measurement : results.get("measurements")) {
      scenarios.add(measurement.get("scenario").asText());
      assertThat(measurement.get("requests").asLong()).as(measurement.toString()).isPositive();
      assertThat(measurement.get("errors").asLong()).as(measurement.toString()).isZero();
    }
    assertThat(scenarios).contains("direct", "relay", "ferry", "client-dual");
    JsonNode ferryRead = find(results.get("measurements"), "ferry", "prepared-read");
    assertThat(ferryRead.get("hopCpuMicrosPerRequest").asDouble()).isPositive();
    assertThat(ferryRead.get("hopRssBytes").asLong()).isPositive();
    assertThat(results.get("ratios")).isNotEmpty();
    JsonNode scale = results.get("connectionScale");
    assertThat(scale.get("clients").asInt()).isEqualTo(50);
    // Ferry opens one connection per cluster for each client connection (see benchmarks/README.md)
    assertThat(scale.get("backendConnectionsWithClients").asInt())
        .isGreaterThanOrEqualTo(scale.get("backendConnectionsIdle").asInt() + 2 * 50);
    assertThat(Files.readString(out.resolve("results.md"))).contains("| ferry |");
  }

  @Test
  void should_run_every_jmh_benchmark_once() throws Exception {
    String text =
        runToSuccess(
            List.of(
                "-jar",
                JAR.toString(),
                "-f",
                "0",
                "-wi",
                "0",
                "-i",
                "1",
                "-r",
                "100ms",
                "-foe",
                "true"),
            Path.of("target", "jmh-smoke.txt"));
    assertThat(text)
        .contains(
            "PipelineBenchmark.preparedRead",
            "PipelineBenchmark.preparedWrite",
            "FrameBenchmark.decodeBatch",
            "ClassifierBenchmark.classify",
            "StreamIdPoolBenchmark.acquireAndRelease",
            "ResponseAggregationBenchmark.choose");
  }

  private static JsonNode find(JsonNode measurements, String scenario, String workload) {
    for (JsonNode measurement : measurements) {
      if (measurement.get("scenario").asText().equals(scenario)
          && measurement.get("workload").asText().equals(workload)) {
        return measurement;
      }
    }
    throw new AssertionError("no " + scenario + " " + workload + " measurement");
  }

  /**
   * Runs {@code java} with the arguments, its output into a file; asserts it ends, successfully,
   * within 4 minutes, and returns the output.
   */
  private static String runToSuccess(List<String> arguments, Path output)
      throws IOException, InterruptedException {
    Files.createDirectories(output.getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(arguments);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(process.waitFor(4, TimeUnit.MINUTES)).as("finished within 4 minutes").isTrue();
    String text = Files.readString(output);
    assertThat(process.exitValue()).as("exit code; output: %s", text).isZero();
    return text;
  }
}
