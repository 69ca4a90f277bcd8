package io.ferry.admin.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import javax.management.ListenerNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one repair on a node over JMX ({@code repairAsync}) and waits for its end, the way nodetool
 * does: by the repair's progress notifications (source {@code repair:<command>}) and, since
 * notifications can be lost, by polling {@code getParentRepairStatus(command)}, whichever answers
 * first. A repair that outlives its timeout is aborted with {@code
 * forceTerminateAllRepairSessions()} on its coordinator.
 *
 * <p>Thread policy: blocking; worker threads. Stateless.
 */
public final class RepairRunner {

  private static final Logger LOG = LoggerFactory.getLogger(RepairRunner.class);
  private static final Duration POLL = Duration.ofSeconds(2);
  // ProgressEventType ordinals (org.apache.cassandra.utils.progress.ProgressEventType).
  private static final int ERROR = 2;
  private static final int ABORT = 3;
  private static final int SUCCESS = 4;
  private static final int COMPLETE = 5;
  private static final ObjectName STORAGE_SERVICE;

  static {
    try {
      STORAGE_SERVICE = new ObjectName(StorageServiceOperations.OBJECT_NAME);
    } catch (MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
  }

  private RepairRunner() {}

  /** How a repair ended. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    /** {@code repairAsync} answered 0: no replica to repair with (RF 1). */
    NOTHING_TO_REPAIR,
    /** The coordinator no longer knows the command (it restarted, or forgot it). */
    UNKNOWN
  }

  /**
   * @param messages what the coordinator said about it: its notifications' and parent repair
   *     status' messages (a preview repair's verdict is among them)
   */
  public record Outcome(Status status, int command, List<String> messages) {

    public String summary() {
      return String.join("; ", messages);
    }
  }

  /**
   * Starts {@code repairAsync(keyspace, options)} on {@code node} and waits for its end.
   *
   * @param started told the command number as soon as the node accepted the repair
   */
  public static Outcome run(
      NodeJmx jmx,
      String node,
      String keyspace,
      Map<String, String> options,
      Duration timeout,
      IntConsumer started)
      throws Exception {
    MBeanServerConnection connection = jmx.connection(node);
    Progress progress = new Progress();
    connection.addNotificationListener(STORAGE_SERVICE, progress, null, null);
    try {
      int command = jmx.storage(node, storage -> storage.repairAsync(keyspace, options));
      if (command <= 0) {
        return new Outcome(Status.NOTHING_TO_REPAIR, command, List.of());
      }
      started.accept(command);
      LOG.debug("repair #{} of {} {} started on {}", command, keyspace, options, node);
      return await(jmx, node, command, timeout, progress);
    } finally {
      try {
        connection.removeNotificationListener(STORAGE_SERVICE, progress);
      } catch (ListenerNotFoundException | java.io.IOException e) {
        LOG.trace("repair listener on {} not removed: {}", node, e.toString());
      }
    }
  }

  /**
   * Waits for a repair started earlier (by this or another Ferry instance) to end, by polling its
   * parent repair status only.
   */
  public static Outcome await(NodeJmx jmx, String node, int command, Duration timeout)
      throws Exception {
    return await(jmx, node, command, timeout, null);
  }

  private static Outcome await(
      NodeJmx jmx, String node, int command, Duration timeout, Progress progress) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String source = "repair:" + command;
    boolean seenByNode = false;
    while (true) {
      if (progress != null) {
        Outcome notified = progress.outcome(source, command);
        if (notified != null) {
          return notified;
        }
      }
      List<String> status = jmx.storage(node, storage -> storage.getParentRepairStatus(command));
      if (status != null && !status.isEmpty()) {
        seenByNode = true;
        List<String> messages = new ArrayList<>(status.subList(1, status.size()));
        if (progress != null) {
          messages.addAll(0, progress.messages(source));
        }
        switch (status.get(0)) {
          case "COMPLETED" -> {
            return new Outcome(Status.SUCCEEDED, command, messages);
          }
          case "FAILED" -> {
            return new Outcome(Status.FAILED, command, messages);
          }
          default -> {
            // IN_PROGRESS
          }
        }
      } else if (progress == null && !seenByNode) {
        return new Outcome(Status.UNKNOWN, command, List.of());
      }
      if (System.nanoTime() - deadline > 0) {
        LOG.warn(
            "repair #{} on {} still runs after {}; aborting every repair session of the node",
            command,
            node,
            timeout);
        jmx.storage(
            node,
            storage -> {
              storage.forceTerminateAllRepairSessions();
              return null;
            });
        return new Outcome(
            Status.TIMED_OUT, command, List.of("timed out after " + timeout.toSeconds() + " s"));
      }
      if (progress != null) {
        progress.awaitChange(POLL);
      } else {
        Thread.sleep(POLL.toMillis());
      }
    }
  }

  /** The progress notifications of the node's repairs, by source. */
  private static final class Progress implements NotificationListener {

    private final Map<String, Events> bySource = new java.util.HashMap<>();

    private static final class Events {
      final List<String> messages = new ArrayList<>();
      Integer verdict; // SUCCESS, ERROR or ABORT
      boolean complete;
    }

    @Override
    public synchronized void handleNotification(Notification notification, Object handback) {
      if (!"progress".equals(notification.getType())
          || !(notification.getSource() instanceof String source)
          || !source.startsWith("repair:")) {
        return;
      }
      Events events = bySource.computeIfAbsent(source, ignored -> new Events());
      if (notification.getMessage() != null) {
        events.messages.add(notification.getMessage());
      }
      if (notification.getUserData() instanceof Map<?, ?> data
          && data.get("type") instanceof Integer type) {
        if (type == SUCCESS || type == ERROR || type == ABORT) {
          events.verdict = type;
        } else if (type == COMPLETE) {
          events.complete = true;
        }
      }
      notifyAll();
    }

    /** The outcome once both the verdict and COMPLETE arrived (in either order), else null. */
    synchronized Outcome outcome(String source, int command) {
      Events events = bySource.get(source);
      if (events == null || events.verdict == null || !events.complete) {
        return null;
      }
      Status status = events.verdict == SUCCESS ? Status.SUCCEEDED : Status.FAILED;
      return new Outcome(status, command, List.copyOf(events.messages));
    }

    synchronized List<String> messages(String source) {
      Events events = bySource.get(source);
      return events == null ? List.of() : List.copyOf(events.messages);
    }

    synchronized void awaitChange(Duration timeout) throws InterruptedException {
      wait(timeout.toMillis());
    }
  }
}
