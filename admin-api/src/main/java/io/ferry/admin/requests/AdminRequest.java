package io.ferry.admin.requests;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One request as stored: an operation on a node, or a job of several steps (a bulk operation, a
 * rolling restart, a rebalance) whose steps are requests of their own.
 *
 * @param id a time-based UUID, so that requests of a type list in the order they started
 * @param type what it does: {@code bulk-operations}, {@code rolling-restart}, {@code rebalance} or
 *     a node action ({@code flush}, {@code restart}, ...)
 * @param state {@code running}, {@code success} or {@code error}
 * @param message what happened, or why it failed
 * @param parent the job this request is a step of, or {@code null}
 * @param children the job's steps, in order
 * @param plan what the request does, as JSON, so that another instance can resume it
 * @param requestedBy who asked, for the audit trail
 */
public record AdminRequest(
    UUID id,
    String clusterId,
    String type,
    String state,
    Instant started,
    Instant finished,
    String message,
    UUID parent,
    List<UUID> children,
    String plan,
    boolean cancelRequested,
    String requestedBy) {

  /** A step of a job that has not run yet. */
  public static final String PENDING = "pending";

  public static final String RUNNING = "running";
  public static final String SUCCESS = "success";
  public static final String ERROR = "error";

  public AdminRequest {
    children = children == null ? List.of() : List.copyOf(children);
  }

  public boolean isRunning() {
    return RUNNING.equals(state);
  }

  public boolean isPending() {
    return PENDING.equals(state);
  }
}
