package io.ferry.server;

import io.ferry.proxy.config.InvalidConfigurationException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
   * Starts {@code server} (then runs {@code onStarted}) and blocks until SIGTERM/SIGINT has drained
   * and stopped it (then runs {@code afterStop}), or until it fails to start.
   */
  static int serveUntilStopped(FerryServer server, Runnable onStarted, Runnable afterStop) {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                server.close();
                afterStop.run();
              } finally {
                stopped.countDown();
              }
            },
            "ferry-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      server.start().join();
      LOG.info("Ferry started. Waiting for SIGINT/SIGTERM to shut down.");
      onStarted.run();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.error("Ferry could not start: {}", cause.getMessage());
      Runtime.getRuntime().removeShutdownHook(hook);
      server.close();
      afterStop.run();
      return EXIT_FAILURE;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
