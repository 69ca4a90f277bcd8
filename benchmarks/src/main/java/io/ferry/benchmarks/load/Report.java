package io.ferry.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Turns a run's measurements into {@code results.md} (tables for people) and {@code results.json}
 * (everything, for tools). Ratios are computed pair by pair within each round, between scenarios
 * that ran minutes apart on the same backends, and the median over the rounds is reported: on a
 * shared, noisy machine that is more trustworthy than any absolute figure.
 */
final class Report {

  /** One ratio of one workload, median over rounds, with the per-round values. */
  record Ratio(
      String backend,
      String workload,
      String rowSize,
      String name,
      double median,
      List<Double> rounds) {}

  private Report() {}

  static List<Ratio> ratios(List<Measurement> measurements) {
    List<Ratio> ratios = new ArrayList<>();
    Map<String, List<Measurement>> byWorkload = new LinkedHashMap<>();
    for (Measurement m : measurements) {
      byWorkload
          .computeIfAbsent(
              m.backend() + "|" + m.workload() + "|" + m.rowSize(), k -> new ArrayList<>())
          .add(m);
    }
    for (List<Measurement> group : byWorkload.values()) {
      Measurement first = group.get(0);
      ratio(
          ratios,
          first,
          group,
          "ferry/relay throughput",
          "ferry",
          "relay",
          Measurement::throughput);
      ratio(
          ratios,
          first,
          group,
          "ferry/relay CPU per request",
          "ferry",
          "relay",
          m -> m.hopCpuMicrosPerRequest() == null ? Double.NaN : m.hopCpuMicrosPerRequest());
      ratio(ratios, first, group, "ferry/relay p99", "ferry", "relay", Measurement::p99Micros);
      ratio(
          ratios,
          first,
          group,
          "ferry/direct throughput",
          "ferry",
          "direct",
          Measurement::throughput);
      ratio(ratios, first, group, "ferry/direct p99", "ferry", "direct", Measurement::p99Micros);
      ratio(
          ratios,
          first,
          group,
          "relay/direct throughput",
          "relay",
          "direct",
          Measurement::throughput);
      ratio(
          ratios,
          first,
          group,
          "ferry/client-dual throughput",
          "ferry",
          "client-dual",
          Measurement::throughput);
      ratio(
          ratios,
          first,
          group,
          "ferry/client-dual p99",
          "ferry",
          "client-dual",
          Measurement::p99Micros);
    }
    return ratios;
  }

  private static void ratio(
      List<Ratio> ratios,
      Measurement first,
      List<Measurement> group,
      String name,
      String numerator,
      String denominator,
      ToDoubleFunction<Measurement> value) {
    List<Double> perRound = new ArrayList<>();
    for (Measurement top : group) {
      if (!top.scenario().equals(numerator)) {
        continue;
      }
      for (Measurement bottom : group) {
        if (bottom.scenario().equals(denominator) && bottom.round() == top.round()) {
          double ratio = value.applyAsDouble(top) / value.applyAsDouble(bottom);
          if (Double.isFinite(ratio)) {
            perRound.add(ratio);
          }
        }
      }
    }
    if (!perRound.isEmpty()) {
      ratios.add(
          new Ratio(
              first.backend(),
              first.workload(),
              first.rowSize(),
              name,
              median(perRound),
              perRound));
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Writes both files; returns the markdown. */
  static String write(
      Path directory,
      String command,
      Map<String, Object> environment,
      List<Measurement> measurements,
      ConnectionScale.Result scale) {
    List<Ratio> ratios = ratios(measurements);
    try {
      Files.createDirectories(directory);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("command", command);
      json.put("environment", environment);
      json.put("measurements", measurements);
      json.put("ratios", ratios);
      json.put("connectionScale", scale);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(directory.resolve("results.json").toFile(), json);
      String markdown = markdown(command, environment, measurements, ratios, scale);
      Files.writeString(directory.resolve("results.md"), markdown);
      return markdown;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String markdown(
      String command,
      Map<String, Object> environment,
      List<Measurement> measurements,
      List<Ratio> ratios,
      ConnectionScale.Result scale) {
    StringBuilder md = new StringBuilder();
    md.append("Command: `").append(command).append("`\n\n");
    environment.forEach(
        (key, value) -> md.append("- ").append(key).append(": ").append(value).append('\n'));
    md.append('\n');
    List<String> backends = measurements.stream().map(Measurement::backend).distinct().toList();
    for (String backend : backends) {
      md.append("#### Backend: ").append(backend).append(" — medians over rounds\n\n");
      md.append(
          "| workload | rows | scenario | req/s | p50 µs | p99 µs | p99.9 µs | max µs | hop CPU µs/req | hop RSS MiB | errors |\n");
      md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      Map<String, List<Measurement>> cells = new LinkedHashMap<>();
      for (Measurement m : measurements) {
        if (m.backend().equals(backend)) {
          cells
              .computeIfAbsent(
                  m.workload() + "|" + m.rowSize() + "|" + m.scenario(), k -> new ArrayList<>())
              .add(m);
        }
      }
      for (List<Measurement> cell : cells.values()) {
        Measurement m = cell.get(0);
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %,.0f | %.0f | %.0f | %.0f | %.0f | %s | %s | %d |%n",
                m.workload(),
                m.rowSize(),
                m.scenario(),
                medianOf(cell, Measurement::throughput),
                medianOf(cell, Measurement::p50Micros),
                medianOf(cell, Measurement::p99Micros),
                medianOf(cell, Measurement::p999Micros),
                medianOf(cell, Measurement::maxMicros),
                m.hopCpuMicrosPerRequest() == null
                    ? "–"
                    : String.format(
                        Locale.ROOT, "%.1f", medianOf(cell, x -> x.hopCpuMicrosPerRequest())),
                m.hopRssBytes() == null
                    ? "–"
                    : String.format(
                        Locale.ROOT, "%.0f", medianOf(cell, x -> x.hopRssBytes()) / 1048576.0),
                cell.stream().mapToLong(Measurement::errors).sum()));
      }
      md.append('\n');
      md.append("#### Backend: ")
          .append(backend)
          .append(" — ratios (median of per-round ratios; each round's in brackets)\n\n");
      md.append("| workload | rows | ratio | median | rounds |\n|---|---|---|---:|---|\n");
      for (Ratio ratio : ratios) {
        if (ratio.backend().equals(backend)) {
          md.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %s | %s | %.2f | %s |%n",
                  ratio.workload(),
                  ratio.rowSize(),
                  ratio.name(),
                  ratio.median(),
                  ratio.rounds().stream()
                      .map(r -> String.format(Locale.ROOT, "%.2f", r))
                      .toList()));
        }
      }
      md.append('\n');
      List<String> errors =
          measurements.stream()
              .filter(m -> m.backend().equals(backend) && m.firstError() != null)
              .map(m -> m.scenario() + " " + m.workload() + ": " + m.firstError())
              .distinct()
              .toList();
      for (String error : errors) {
        md.append("- error: ").append(error).append('\n');
      }
    }
    if (scale != null) {
      md.append("#### Connection scale (Ferry over the responder)\n\n");
      md.append(
          "| idle client connections | Ferry RSS idle | RSS with them | per connection | backend connections (idle → with them) | probe p50 / p99 idle | probe p50 / p99 with them | handshakes took |\n");
      md.append("|---:|---:|---:|---:|---|---|---|---:|\n");
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %.0f MiB | %.0f MiB | %.1f KiB | %d → %d | %.0f / %.0f µs | %.0f / %.0f µs | %.1f s |%n",
              scale.clients(),
              scale.rssIdleBytes() / 1048576.0,
              scale.rssWithClientsBytes() / 1048576.0,
              scale.rssPerClientBytes() / 1024.0,
              scale.backendConnectionsIdle(),
              scale.backendConnectionsWithClients(),
              scale.probeP50IdleMicros(),
              scale.probeP99IdleMicros(),
              scale.probeP50WithClientsMicros(),
              scale.probeP99WithClientsMicros(),
              scale.handshakeSeconds()));
    }
    return md.toString();
  }

  private static double medianOf(List<Measurement> cell, ToDoubleFunction<Measurement> value) {
    return median(cell.stream().map(value::applyAsDouble).toList());
  }
}
