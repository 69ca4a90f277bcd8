package io.ferry.admin.testing;

import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.requests.AdminRequest;
import io.ferry.admin.requests.RequestLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link RequestLog} in memory, as the {@code ferry.requests} table keeps it (a cancel is a
 * column of its own, which writing a request again leaves alone); {@link #unavailable} makes it
 * answer as a cluster that is down.
 */
public final class InMemoryRequestLog implements RequestLog {

  private final Map<UUID, AdminRequest> rows = new LinkedHashMap<>();
  private final Map<UUID, Boolean> cancels = new LinkedHashMap<>();
  private volatile boolean unavailable;
  private int writes;

  public void unavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  /** How many writes it took. */
  public synchronized int writes() {
    return writes;
  }

  private void check() {
    if (unavailable) {
      throw new UnavailableException("the store is down (test)");
    }
  }

  @Override
  public synchronized void insert(AdminRequest request) {
    check();
    writes++;
    rows.put(request.id(), request);
  }

  @Override
  public synchronized Optional<AdminRequest> get(UUID id) {
    check();
    AdminRequest row = rows.get(id);
    if (row == null) {
      return Optional.empty();
    }
    return Optional.of(
        new AdminRequest(
            row.id(),
            row.clusterId(),
            row.type(),
            row.state(),
            row.started(),
            row.finished(),
            row.message(),
            row.parent(),
            row.children(),
            row.plan(),
            cancels.getOrDefault(id, false),
            row.requestedBy()));
  }

  @Override
  public synchronized void update(UUID id, String state, Instant finished, String message) {
    check();
    writes++;
    AdminRequest row = rows.get(id);
    if (row != null) {
      rows.put(
          id,
          new AdminRequest(
              id,
              row.clusterId(),
              row.type(),
              state,
              row.started(),
              finished,
              message,
              row.parent(),
              row.children(),
              row.plan(),
              false,
              row.requestedBy()));
    }
  }

  @Override
  public synchronized void requestCancel(UUID id) {
    check();
    cancels.put(id, true);
  }

  @Override
  public synchronized boolean cancelRequested(UUID id) {
    check();
    return cancels.getOrDefault(id, false);
  }

  @Override
  public synchronized List<UUID> latest(String type, int limit) {
    check();
    List<AdminRequest> ofType = new ArrayList<>();
    rows.values().stream()
        .filter(row -> row.type().equals(type) && row.parent() == null)
        .forEach(ofType::add);
    ofType.sort(Comparator.comparing((AdminRequest row) -> row.id().timestamp()).reversed());
    return ofType.stream().limit(limit).map(AdminRequest::id).toList();
  }

  @Override
  public synchronized boolean exists() {
    check();
    return !rows.isEmpty();
  }
}
