package io.ferry.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM process of the benchmark (Ferry, the TCP relay) started from this tool's own class path, so
 * that its CPU time and memory are its own and can be read from {@code /proc}. Its output goes to a
 * log file.
 */
final class ChildProcess implements AutoCloseable {

  /** The JVM options of every measured process, the same for Ferry and the relay. */
  static final List<String> JVM_OPTIONS = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC");

  private final String name;
  private final Process process;
  private final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static ChildProcess start(
      String name, String mainClass, List<String> arguments, Map<String, String> env, Path logDir) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(arguments);
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      return new ChildProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  long pid() {
    return process.pid();
  }

  ProcessStats stats() {
    return ProcessStats.of(process.pid());
  }

  /** Waits until the process accepts TCP connections on an address. */
  void awaitListening(InetSocketAddress address, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      checkAlive();
      try (Socket socket = new Socket()) {
        socket.connect(address, 200);
        return;
      } catch (IOException notYet) {
        LoadRun.sleep(Duration.ofMillis(100));
      }
    }
    throw new IllegalStateException(name + " does not listen on " + address + "; see " + log);
  }

  /** Waits until an HTTP endpoint of the process answers 200. */
  void awaitHttpOk(URI uri, Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      checkAlive();
      try {
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      LoadRun.sleep(Duration.ofMillis(200));
    }
    throw new IllegalStateException(name + ": " + uri + " is not OK; see " + log);
  }

  private void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name + " exited with " + process.exitValue() + "; see " + log);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
