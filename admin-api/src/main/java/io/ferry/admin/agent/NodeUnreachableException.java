package io.ferry.admin.agent;

import io.ferry.admin.http.ApiException;

/** A node's JMX or CQL endpoint cannot be reached; the admin API answers 503. */
public final class NodeUnreachableException extends ApiException {

  public NodeUnreachableException(String message, Throwable cause) {
    super(503, "Unavailable", message);
    initCause(cause);
  }
}
