package io.ferry.admin.process;

import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.proxy.common.Endpoints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a cluster's node start and stop commands and waits for their effect.
 *
 * <p>Thread policy: blocking (processes, polling); worker pool. Thread-safe.
 */
public final class NodeProcesses implements ProcessControl {

  private static final Logger LOG = LoggerFactory.getLogger(NodeProcesses.class);
  private static final int OUTPUT_IN_ERRORS = 2000;
  private static final Duration POLL = Duration.ofMillis(500);
  private static final int PROBE_TIMEOUT_MILLIS = 500;

  private final String clusterId;
  private final ClusterSession cql;
  private final String startCommand;
  private final String stopCommand;
  private final Duration readyTimeout;
  private final Duration stopTimeout;

  /**
   * @param cql the cluster's session: its port tells when a node stopped, its queries when a node
   *     answers again
   */
  public NodeProcesses(
      ClusterSession cql,
      String startCommand,
      String stopCommand,
      Duration readyTimeout,
      Duration stopTimeout) {
    this.clusterId = cql.clusterId();
    this.cql = cql;
    this.startCommand = startCommand;
    this.stopCommand = stopCommand;
    this.readyTimeout = readyTimeout;
    this.stopTimeout = stopTimeout;
  }

  @Override
  public void requireCommands(boolean start, boolean stop) {
    if (start && startCommand.isBlank()) {
      throw missing("start", "node-start-command", "FERRY_NODE_START_COMMAND");
    }
    if (stop && stopCommand.isBlank()) {
      throw missing("stop", "node-stop-command", "FERRY_NODE_STOP_COMMAND");
    }
  }

  private InvalidArgumentsException missing(String what, String setting, String variable) {
    return new InvalidArgumentsException(
        "no command to "
            + what
            + " the nodes of cluster "
            + clusterId
            + " is configured (expected: ferry.admin."
            + clusterId
            + "."
            + setting
            + " or ferry.admin."
            + setting
            + " / "
            + variable
            + ", e.g. `ssh {ip} sudo systemctl "
            + what
            + " cassandra`)");
  }

  @Override
  public void stop(String ip) throws Exception {
    int cqlPort = cql.settings().port();
    run("node-stop-command", stopCommand, ip, stopTimeout);
    await(
        () -> !Endpoints.accepts(new InetSocketAddress(ip, cqlPort), PROBE_TIMEOUT_MILLIS),
        stopTimeout,
        "node "
            + ip
            + " still accepts CQL connections on port "
            + cqlPort
            + " after its stop command");
  }

  @Override
  public void start(String ip, boolean waitForCql) throws Exception {
    run("node-start-command", startCommand, ip, readyTimeout);
    if (waitForCql) {
      await(
          () -> cql.answers(ip),
          readyTimeout,
          "node "
              + ip
              + " did not answer CQL within "
              + readyTimeout.toSeconds()
              + " s of its start");
    }
  }

  /**
   * Runs a command. Its text is never logged nor put in an error: a template may carry a secret (a
   * password given to ssh or sudo); the setting's name says which command it was.
   */
  private void run(String setting, String template, String ip, Duration timeout) throws Exception {
    String command = template.replace("{ip}", ip);
    String what = "the " + setting + " of cluster " + clusterId + " for " + ip;
    LOG.info("[{} {}] running {}", clusterId, ip, what);
    Process process =
        new ProcessBuilder(List.of("sh", "-c", command)).redirectErrorStream(true).start();
    process.getOutputStream().close();
    // Read output on the side: a command whose output fills the pipe would never end.
    StringBuffer output = new StringBuffer();
    Thread reader =
        new Thread(
            () -> {
              try {
                output.append(
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                LOG.trace("reading command output failed", e);
              }
            },
            "ferry-admin-command-output");
    reader.setDaemon(true);
    reader.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          what + " did not finish within " + timeout.toSeconds() + " s");
    }
    reader.join(1000);
    if (process.exitValue() != 0) {
      String text = output.toString().strip();
      if (text.length() > OUTPUT_IN_ERRORS) {
        text = "..." + text.substring(text.length() - OUTPUT_IN_ERRORS);
      }
      throw new IllegalStateException(
          what
              + " exited with status "
              + process.exitValue()
              + (text.isEmpty() ? "" : ": " + text));
    }
  }

  private static void await(BooleanSupplier condition, Duration timeout, String failure)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(failure);
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
