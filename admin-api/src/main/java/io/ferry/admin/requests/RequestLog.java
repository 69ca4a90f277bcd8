package io.ferry.admin.requests;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The requests of one cluster: recorded when they start, updated as they run, listed by type.
 *
 * <p>Thread policy: may block (a store on a cluster); worker pool. Implementations are thread-safe.
 */
public interface RequestLog {

  /** Records a new request; a step of a job is not listed under its own type. */
  void insert(AdminRequest request);

  Optional<AdminRequest> get(UUID id);

  /** The request if this instance holds it in memory (it runs it), without asking any store. */
  default Optional<AdminRequest> held(UUID id) {
    return Optional.empty();
  }

  /** Records a request's state and message. */
  void update(UUID id, String state, Instant finished, String message);

  /** Asks whichever instance runs the request to stop it before its next step. */
  void requestCancel(UUID id);

  /** Whether someone asked, on any instance, that the request stop. */
  boolean cancelRequested(UUID id);

  /** Ids of the latest requests of a type, newest first. */
  List<UUID> latest(String type, int limit);

  /** Whether any request was ever recorded here (without creating anything). */
  boolean exists();
}
