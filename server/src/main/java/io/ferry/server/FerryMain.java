package io.ferry.server;

import io.ferry.proxy.config.InvalidConfigurationException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ferry} command line: {@code run [--config FILE]}, {@code quickstart}, {@code --help}.
 *
 * <p>Exit status: 0 after a clean stop, 1 when Ferry fails at run time, 2 for a usage or
 * configuration error.
 */
public final class FerryMain {

  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 2;

  private static final Logger LOG = LoggerFactory.getLogger(FerryMain.class);

  static final String USAGE =
      """
      Ferry: a zero-downtime migration proxy for Apache Cassandra and DataStax Enterprise.

      Usage:
        bin/ferry run [--config FILE]   Start Ferry. Settings come from the ZDM Proxy's ZDM_* environment
                                        variables (same names, meanings and defaults), then FILE (HOCON or
                                        JSON; every setting is documented in reference.conf), then defaults.
                                        At least ZDM_ORIGIN_CONTACT_POINTS and ZDM_TARGET_CONTACT_POINTS are
                                        needed. Stop with SIGTERM or Ctrl-C: in-flight requests finish first.
        bin/ferry quickstart            Start two real Apache Cassandra 5.0 nodes (origin on 127.0.0.2,
                                        target on 127.0.0.3, jars from Maven Central) and Ferry in front of
                                        them on localhost:14002; Ctrl-C stops everything it started.
        bin/ferry --help                Show this help.

      Ports (defaults): CQL localhost:14002, metrics and health localhost:14001
      (/health/liveness, /health/readiness), admin API localhost:8888.
      """;

  private FerryMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> arguments = Arrays.asList(args);
    if (arguments.isEmpty()) {
      err.print(USAGE);
      return EXIT_USAGE;
    }
    String command = arguments.get(0);
    switch (command) {
      case "--help", "-h", "help" -> {
        out.print(USAGE);
        return 0;
      }
      case "run" -> {
        Path config = null;
        List<String> rest = arguments.subList(1, arguments.size());
        if (rest.size() == 2 && rest.get(0).equals("--config")) {
          config = Path.of(rest.get(1));
        } else if (!rest.isEmpty()) {
          err.println("unexpected arguments after run: " + String.join(" ", rest));
          err.print(USAGE);
          return EXIT_USAGE;
        }
        return runFerry(config, err);
      }
      case "quickstart" -> {
        if (arguments.size() > 1) {
          err.println("quickstart takes no arguments");
          return EXIT_USAGE;
        }
        return Quickstart.run(out, err);
      }
      default -> {
        err.println("unknown command: " + command);
        err.print(USAGE);
        return EXIT_USAGE;
      }
    }
  }

  private static int runFerry(Path configFile, PrintStream err) {
    FerryServer server;
    try {
      server = FerryServer.create(FerryServer.loadConfig(configFile, System.getenv()));
    } catch (InvalidConfigurationException e) {
      err.println(e.getMessage());
      return EXIT_USAGE;
    } catch (Exception e) {
      err.println("Ferry cannot start: " + e.getMessage());
      return EXIT_FAILURE;
    }
    return serveUntilStopped(server, () -> {}, () -> {});
  }

  /**
   * Starts {@code server} (then runs {@code onStarted}) and blocks until SIGTERM or SIGINT; then
   * drains and stops it, runs {@code afterStop} and returns 0, so that a service manager sees a
   * clean stop. Returns 1 if it fails to start.
   */
  static int serveUntilStopped(FerryServer server, Runnable onStarted, Runnable afterStop) {
    // Completes normally on SIGTERM/SIGINT, exceptionally if start-up fails. Start-up may retry for
    // a long time (a cluster is down), and a signal must still stop Ferry then.
    CompletableFuture<Void> stop = new CompletableFuture<>();
    // Handling the signals ourselves (instead of relying on shutdown hooks) lets the drain finish
    // and the process exit 0; the JVM would otherwise exit 143 after a SIGTERM.
    for (String signal : List.of("TERM", "INT")) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), received -> stop.complete(null));
    }
    server
        .start()
        .whenComplete(
            (started, failure) -> {
              if (failure != null) {
                stop.completeExceptionally(failure);
              } else {
                LOG.info("Ferry started. Waiting for SIGINT/SIGTERM to shut down.");
                onStarted.run();
              }
            });
    int status = 0;
    try {
      stop.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.error("Ferry could not start: {}", cause.getMessage());
      status = EXIT_FAILURE;
    }
    server.close();
    afterStop.run();
    return status;
  }
}
