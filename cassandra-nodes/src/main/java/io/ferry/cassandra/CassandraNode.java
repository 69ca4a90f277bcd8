package io.ferry.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Cassandra node running in its own JVM, started by {@link #start(CassandraDistribution,
 * NodeSpec)} and stopped by {@link #stop(Duration)} or {@link #close()}.
 *
 * <p>Whatever happens to the JVM that started it, the node does not outlive it: a shutdown hook
 * kills it when that JVM exits. A node that outlived a JVM killed with SIGKILL (when hooks do not
 * run) is recognised by its pid file at the next start in the same directory.
 *
 * <p>Thread-safe: lifecycle methods are serialized; {@link #awaitReady(Duration)} waits without
 * holding the lock, so another thread can stop or kill a node that is starting.
 */
public final class CassandraNode implements AutoCloseable {

  /** How long {@link #close()} lets a node flush its memtables before killing it. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(CassandraNode.class);
  private static final int LOG_LINES_IN_ERRORS = 30;
  private static final int LOG_TAIL_BYTES = 64 * 1024;
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final int CONNECT_TIMEOUT_MILLIS = 200;
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final CassandraDistribution distribution;
  private final NodeSpec spec;
  private final NodeConfiguration.Layout layout;

  // Guarded by this.
  private Process process;
  private Thread shutdownHook;
  private long launchNanos;
  private boolean paused;

  private CassandraNode(CassandraDistribution distribution, NodeSpec spec) {
    this.distribution = distribution;
    this.spec = spec;
    this.layout = new NodeConfiguration.Layout(spec.directory());
  }

  /**
   * Writes the node's configuration and launches its JVM, returning at once; follow with {@link
   * #awaitReady(Duration)}. Starting again on the directory of a stopped node, with {@code
   * fresh=false}, keeps its data.
   *
   * @throws CassandraNodeException if the node's ports are taken or its directory is unusable
   */
  public static CassandraNode start(CassandraDistribution distribution, NodeSpec spec) {
    CassandraNode node = new CassandraNode(distribution, spec);
    node.launch(spec.fresh());
    return node;
  }

  /**
   * Stops the node if it runs, then starts it again on the same directory, keeping its data; follow
   * with {@link #awaitReady(Duration)}.
   */
  public synchronized void restart() {
    stop(DEFAULT_STOP_GRACE);
    launch(false);
  }

  /**
   * Waits until the node accepts TCP connections on its native port, which Cassandra opens only at
   * the very end of its start-up.
   *
   * @return how long the node took from launch to ready
   * @throws CassandraNodeException if the node dies first or is not ready within {@code timeout};
   *     the message ends with the node's last log lines
   */
  public Duration awaitReady(Duration timeout) {
    Process watched;
    long launchedAt;
    synchronized (this) {
      watched = process;
      launchedAt = launchNanos;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!watched.isAlive()) {
        throw new CassandraNodeException(
            describe()
                + " exited with status "
                + watched.exitValue()
                + " before it accepted CQL connections"
                + logTail());
      }
      if (accepts(spec.nativePort())) {
        Duration startup = Duration.ofNanos(System.nanoTime() - launchedAt);
        LOG.info(
            "Cassandra node {} ready on {}:{} after {} s",
            spec.address(),
            spec.address(),
            spec.nativePort(),
            seconds(startup));
        return startup;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new CassandraNodeException(
            describe()
                + " did not accept CQL connections on "
                + spec.address()
                + ":"
                + spec.nativePort()
                + " within "
                + seconds(timeout)
                + " s; it is still running, close it"
                + logTail());
      }
      try {
        Thread.sleep(POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CassandraNodeException("Interrupted while waiting for " + describe(), e);
      }
    }
  }

  /**
   * Sends SIGTERM, so that the node flushes its memtables (about 6 s), then SIGKILL if it is still
   * running after {@code grace}. Does nothing if the node is not running.
   */
  public synchronized void stop(Duration grace) {
    if (!isRunning()) {
      forgetProcess();
      return;
    }
    // A stopped process would not handle SIGTERM before it is continued.
    if (paused) {
      resume();
    }
    LOG.info("Stopping Cassandra node {} (pid {})", spec.address(), process.pid());
    long stopNanos = System.nanoTime();
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "Cassandra node {} (pid {}) did not stop within {} s, killing it",
            spec.address(),
            process.pid(),
            seconds(grace));
        destroyForcibly();
      }
    } catch (InterruptedException e) {
      destroyForcibly();
      Thread.currentThread().interrupt();
    }
    LOG.info(
        "Stopped Cassandra node {} in {} s",
        spec.address(),
        seconds(Duration.ofNanos(System.nanoTime() - stopNanos)));
    forgetProcess();
  }

  /** Sends SIGKILL and waits until the process is gone; the next start replays the commit log. */
  public synchronized void kill() {
    if (isRunning()) {
      LOG.info("Killing Cassandra node {} (pid {})", spec.address(), process.pid());
      destroyForcibly();
    }
    forgetProcess();
  }

  /** Freezes the node's JVM with SIGSTOP: it keeps its sockets but answers nothing. */
  public synchronized void pause() {
    signal("STOP");
    paused = true;
    LOG.info("Paused Cassandra node {} (pid {})", spec.address(), process.pid());
  }

  /** Continues a {@linkplain #pause() paused} node with SIGCONT. */
  public synchronized void resume() {
    signal("CONT");
    paused = false;
    LOG.info("Resumed Cassandra node {} (pid {})", spec.address(), process.pid());
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The pid of the node's current JVM, or of its last one once stopped. */
  public synchronized long pid() {
    return process.pid();
  }

  public NodeSpec spec() {
    return spec;
  }

  public String address() {
    return spec.address();
  }

  public int nativePort() {
    return spec.nativePort();
  }

  /**
   * @throws IllegalStateException if the node runs without JMX
   */
  public int jmxPort() {
    if (!spec.jmxEnabled()) {
      throw new IllegalStateException("Cassandra node " + spec.address() + " runs without JMX");
    }
    return spec.jmxPort();
  }

  /** For {@code javax.management.remote.JMXConnectorFactory.connect}. */
  public String jmxServiceUrl() {
    return "service:jmx:rmi:///jndi/rmi://" + spec.address() + ":" + jmxPort() + "/jmxrmi";
  }

  /**
   * Writes {@code bin/start} and {@code bin/stop} into the node's directory: shell scripts that
   * start the node detached (recording its pid where this class does) and stop it (SIGTERM, then
   * SIGKILL after 30 s), as a service manager's commands would. They let a test drive the node's
   * process from outside this JVM, e.g. through Ferry's admin API; a node they start is no longer
   * this object's to stop: run {@code bin/stop}.
   *
   * @return the {@code bin} directory
   */
  public Path writeServiceScripts() {
    Path bin = spec.directory().resolve("bin");
    String command =
        NodeConfiguration.command(javaExecutable(), spec).stream()
            .map(argument -> "'" + argument.replace("'", "'\\''") + "'")
            .collect(java.util.stream.Collectors.joining(" "));
    String pidFile = "'" + layout.pidFile() + "'";
    String start =
        "#!/bin/sh\n"
            + "# Starts Cassandra node "
            + spec.address()
            + " detached.\n"
            + "cd '"
            + spec.directory()
            + "' || exit 1\n"
            + "if [ -f "
            + pidFile
            + " ] && kill -0 \"$(cat "
            + pidFile
            + ")\" 2>/dev/null; then echo 'already running'; exit 0; fi\n"
            + "nohup "
            + command
            + " >> '"
            + layout.standardOutput()
            + "' 2>&1 < /dev/null &\n"
            + "echo $! > "
            + pidFile
            + "\n";
    String stop =
        "#!/bin/sh\n"
            + "# Stops Cassandra node "
            + spec.address()
            + ": SIGTERM (it flushes), SIGKILL after 30 s.\n"
            + "[ -f "
            + pidFile
            + " ] || exit 0\n"
            + "pid=$(cat "
            + pidFile
            + ")\n"
            + "kill \"$pid\" 2>/dev/null || exit 0\n"
            + "i=0\n"
            + "while kill -0 \"$pid\" 2>/dev/null; do\n"
            + "  i=$((i + 1)); if [ $i -gt 300 ]; then kill -9 \"$pid\"; fi; sleep 0.1\n"
            + "done\n";
    try {
      Files.createDirectories(bin);
      for (Map.Entry<String, String> script : Map.of("start", start, "stop", stop).entrySet()) {
        Path file = bin.resolve(script.getKey());
        Files.writeString(file, script.getValue(), StandardCharsets.UTF_8);
        file.toFile().setExecutable(true);
      }
    } catch (IOException e) {
      throw new CassandraNodeException("Could not write the service scripts of " + describe(), e);
    }
    return bin;
  }

  public Path directory() {
    return spec.directory();
  }

  /** Cassandra's own log, {@code logs/system.log}. */
  public Path logFile() {
    return layout.systemLog();
  }

  /** Stops the node with the {@linkplain #DEFAULT_STOP_GRACE default grace}. */
  @Override
  public void close() {
    stop(DEFAULT_STOP_GRACE);
  }

  @Override
  public String toString() {
    return describe();
  }

  private synchronized void launch(boolean wipe) {
    checkNoNodeLeftBehind();
    checkPortsFree();
    try {
      if (wipe) {
        wipeDirectory();
      }
      for (Path directory : layout.directories()) {
        Files.createDirectories(directory);
      }
      Files.writeString(layout.marker(), "Cassandra node directory managed by Ferry\n");
      Files.writeString(
          layout.cassandraYaml(), NodeConfiguration.cassandraYaml(spec), StandardCharsets.UTF_8);
      Files.writeString(
          layout.logbackXml(), NodeConfiguration.logbackXml(), StandardCharsets.UTF_8);
      Files.writeString(
          layout.javaArguments(),
          NodeConfiguration.javaArguments(distribution, spec),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CassandraNodeException(
          "Could not prepare the directory " + spec.directory() + " of " + describe(), e);
    }
    List<String> command = NodeConfiguration.command(javaExecutable(), spec);
    LOG.info(
        "Starting Cassandra {} node {} (cluster '{}'{}) in {}",
        distribution.version(),
        spec.address(),
        spec.clusterName(),
        spec.networkNamespace().map(name -> ", network namespace " + name).orElse(""),
        spec.directory());
    try {
      launchNanos = System.nanoTime();
      process =
          new ProcessBuilder(command)
              .directory(spec.directory().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.standardOutput().toFile()))
              .start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new CassandraNodeException("Could not launch " + command.get(0) + " for " + this, e);
    }
    paused = false;
    shutdownHook = new Thread(killer(process), "ferry-kill-cassandra-" + spec.address());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      Files.writeString(layout.pidFile(), process.pid() + "\n");
    } catch (IOException e) {
      // Only the detection of a node left behind by a killed JVM needs it.
      LOG.warn("Could not write {}: {}", layout.pidFile(), e.toString());
    }
    LOG.info("Cassandra node {} launched with pid {}", spec.address(), process.pid());
  }

  private static Runnable killer(Process process) {
    return () -> {
      process.destroyForcibly();
      try {
        process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /** Fails, rather than kills, if a node of an earlier run still uses this directory. */
  private void checkNoNodeLeftBehind() {
    Optional<ProcessHandle> leftBehind = readPidFile().flatMap(ProcessHandle::of);
    if (leftBehind.isEmpty() || !leftBehind.get().isAlive()) {
      return;
    }
    // Pids are reused: only a Cassandra JVM launched from this directory counts.
    boolean isThisNode =
        leftBehind
            .get()
            .info()
            .commandLine()
            .map(
                line ->
                    line.contains(NodeConfiguration.MAIN_CLASS)
                        && line.contains(layout.javaArguments().toString()))
            .orElse(false);
    if (isThisNode) {
      long pid = leftBehind.get().pid();
      throw new CassandraNodeException(
          "A Cassandra node of an earlier run (pid "
              + pid
              + ") still uses "
              + spec.directory()
              + "; stop it with `kill "
              + pid
              + "` and start again");
    }
  }

  private Optional<Long> readPidFile() {
    try {
      if (!Files.isRegularFile(layout.pidFile())) {
        return Optional.empty();
      }
      return Optional.of(Long.parseLong(Files.readString(layout.pidFile()).strip()));
    } catch (IOException | NumberFormatException e) {
      LOG.debug("Ignoring unreadable {}", layout.pidFile(), e);
      return Optional.empty();
    }
  }

  private void checkPortsFree() {
    Stream<Integer> ports =
        spec.jmxEnabled()
            ? Stream.of(spec.nativePort(), spec.storagePort(), spec.jmxPort())
            : Stream.of(spec.nativePort(), spec.storagePort());
    ports
        .filter(this::accepts)
        .findFirst()
        .ifPresent(
            port -> {
              throw new CassandraNodeException(
                  spec.address()
                      + ":"
                      + port
                      + " already accepts connections, so "
                      + describe()
                      + " cannot bind it: another node (perhaps of an earlier run) or server uses"
                      + " this address; stop it or choose another 127.0.0.x address");
            });
  }

  private void wipeDirectory() throws IOException {
    Path root = spec.directory();
    if (!Files.exists(root)) {
      return;
    }
    boolean empty;
    try (Stream<Path> entries = Files.list(root)) {
      empty = entries.findAny().isEmpty();
    }
    // A mistyped directory must not cost a user their files.
    if (!empty && !Files.exists(layout.marker())) {
      throw new CassandraNodeException(
          "Refusing to wipe "
              + root
              + " for a fresh start: it is not empty and has no "
              + layout.marker().getFileName()
              + " marker, so it is not a Ferry node directory");
    }
    deleteTree(root, false);
  }

  /**
   * Deletes the node's directory (data, logs, scripts), for a node whose data is thrown away, once
   * it has stopped. A directory without this module's marker is left alone, as for a fresh start.
   *
   * @throws CassandraNodeException if the node is still running or the directory cannot be deleted
   */
  public synchronized void deleteDirectory() {
    if (isRunning()) {
      throw new CassandraNodeException(
          "Cannot delete the directory of " + describe() + ": it is still running");
    }
    Path root = spec.directory();
    if (!Files.exists(root) || !Files.exists(layout.marker())) {
      return;
    }
    try {
      deleteTree(root, true);
    } catch (IOException e) {
      throw new CassandraNodeException("Could not delete " + root + " of " + describe(), e);
    }
  }

  private static void deleteTree(Path root, boolean withRoot) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException failure)
              throws IOException {
            if (failure != null) {
              throw failure;
            }
            if (withRoot || !directory.equals(root)) {
              Files.delete(directory);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(spec.address(), port), CONNECT_TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void signal(String signal) {
    if (!isRunning()) {
      throw new IllegalStateException(describe() + " is not running");
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (kill.waitFor() != 0) {
        throw new CassandraNodeException(
            "kill -" + signal + " " + process.pid() + " failed: " + output.strip());
      }
    } catch (IOException e) {
      throw new CassandraNodeException("Could not send SIG" + signal + " to " + describe(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CassandraNodeException("Interrupted while signalling " + describe(), e);
    }
  }

  private void destroyForcibly() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new CassandraNodeException(
            describe() + " is still running " + seconds(KILL_WAIT) + " s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void forgetProcess() {
    paused = false;
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook kills a process that is gone, harmlessly.
      }
      shutdownHook = null;
    }
    if (process != null && !process.isAlive()) {
      try {
        Files.deleteIfExists(layout.pidFile());
      } catch (IOException e) {
        LOG.debug("Could not delete {}", layout.pidFile(), e);
      }
    }
  }

  private String describe() {
    return "Cassandra node " + spec.address() + " (cluster '" + spec.clusterName() + "')";
  }

  private String logTail() {
    StringBuilder tail = new StringBuilder();
    for (Path log : List.of(layout.systemLog(), layout.standardOutput())) {
      List<String> lines = lastLines(log);
      if (!lines.isEmpty()) {
        tail.append("\n--- last lines of ").append(log).append(" ---\n");
        tail.append(String.join("\n", lines));
      }
    }
    return tail.length() == 0 ? "; it logged nothing in " + layout.logs() : tail.toString();
  }

  private static List<String> lastLines(Path file) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, in.length() - LOG_TAIL_BYTES);
      byte[] bytes = new byte[(int) (in.length() - start)];
      in.seek(start);
      in.readFully(bytes);
      List<String> lines =
          Arrays.asList(new String(bytes, StandardCharsets.UTF_8).strip().split("\n"));
      if (lines.size() == 1 && lines.get(0).isEmpty()) {
        return List.of();
      }
      return lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size());
    } catch (IOException e) {
      return List.of("(could not read " + file + ": " + e + ")");
    }
  }

  private static Path javaExecutable() {
    // The running JVM's own java: the node runs on the JDK the user already runs Ferry with.
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  private static String seconds(Duration duration) {
    return String.format("%.1f", duration.toMillis() / 1000.0);
  }
}
