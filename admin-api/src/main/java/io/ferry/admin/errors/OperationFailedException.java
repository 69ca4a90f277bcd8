package io.ferry.admin.errors;

import java.util.UUID;

/** A node operation that was started ran and failed; its request records why. */
public final class OperationFailedException extends AdminException {

  private final UUID requestId;

  public OperationFailedException(UUID requestId, String why, Throwable cause) {
    super("request " + requestId + " failed: " + why, cause);
    this.requestId = requestId;
  }

  public UUID requestId() {
    return requestId;
  }
}
