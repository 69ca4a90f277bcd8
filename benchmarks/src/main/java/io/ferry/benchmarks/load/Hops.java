package io.ferry.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Starts the hops the benchmark puts between the driver and the backend, each its own process. */
final class Hops {

  private static final String LISTEN_HOST = "127.0.0.1";

  /** A started hop: its process, the address drivers connect to, Ferry's {@code /metrics}. */
  record Hop(ChildProcess process, InetSocketAddress address, URI metrics)
      implements AutoCloseable {

    /** Ferry's metrics now: each sample's name with its labels, and its value. */
    Map<String, Double> scrapeMetrics() {
      try {
        String text =
            HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
          if (line.isEmpty() || line.startsWith("#")) {
            continue;
          }
          int space = line.lastIndexOf(' ');
          values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return values;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** The sum of the samples of metric {@code name} whose labels include {@code label}. */
    static double sum(Map<String, Double> metrics, String name, String label) {
      double total = 0;
      for (Map.Entry<String, Double> metric : metrics.entrySet()) {
        String sample = metric.getKey();
        if ((sample.equals(name) || sample.startsWith(name + "{")) && sample.contains(label)) {
          total += metric.getValue();
        }
      }
      return total;
    }

    @Override
    public void close() {
      process.close();
    }
  }

  private Hops() {}

  static Hop relay(InetSocketAddress backend, Path logDir) {
    InetSocketAddress listen = new InetSocketAddress(LISTEN_HOST, freePort());
    ChildProcess process =
        ChildProcess.start(
            "relay",
            TcpRelay.class.getName(),
            List.of(
                LISTEN_HOST + ":" + listen.getPort(),
                backend.getAddress().getHostAddress() + ":" + backend.getPort()),
            Map.of(),
            logDir);
    process.awaitListening(listen, Duration.ofSeconds(30));
    return new Hop(process, listen, null);
  }

  /** Ferry with its defaults (reads from origin, writes to both), as {@code bin/ferry run}. */
  static Hop ferry(Backend backend, int maxClientConnections, String name, Path logDir) {
    int cqlPort = freePort();
    int metricsPort = freePort();
    ChildProcess process =
        ChildProcess.start(
            name,
            "io.ferry.server.FerryMain",
            List.of("run"),
            Map.ofEntries(
                Map.entry("ZDM_ORIGIN_CONTACT_POINTS", host(backend.origin())),
                Map.entry("ZDM_ORIGIN_PORT", Integer.toString(backend.origin().getPort())),
                Map.entry("ZDM_TARGET_CONTACT_POINTS", host(backend.target())),
                Map.entry("ZDM_TARGET_PORT", Integer.toString(backend.target().getPort())),
                Map.entry("ZDM_PROXY_LISTEN_ADDRESS", LISTEN_HOST),
                Map.entry("ZDM_PROXY_LISTEN_PORT", Integer.toString(cqlPort)),
                Map.entry("ZDM_METRICS_ADDRESS", LISTEN_HOST),
                Map.entry("ZDM_METRICS_PORT", Integer.toString(metricsPort)),
                Map.entry("FERRY_ADMIN_ADDRESS", LISTEN_HOST),
                Map.entry("FERRY_ADMIN_PORT", Integer.toString(freePort())),
                Map.entry(
                    "ZDM_PROXY_MAX_CLIENT_CONNECTIONS", Integer.toString(maxClientConnections))),
            logDir);
    String base = "http://" + LISTEN_HOST + ":" + metricsPort;
    process.awaitHttpOk(URI.create(base + "/health/readiness"), Duration.ofSeconds(60));
    InetSocketAddress address = new InetSocketAddress(LISTEN_HOST, cqlPort);
    process.awaitListening(address, Duration.ofSeconds(10));
    return new Hop(process, address, URI.create(base + "/metrics"));
  }

  private static String host(InetSocketAddress address) {
    return address.getAddress().getHostAddress();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
