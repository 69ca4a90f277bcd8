package io.ferry.admin.agent;

import io.ferry.admin.errors.UnavailableException;

/** A node's JMX or CQL endpoint cannot be reached. */
public final class NodeUnreachableException extends UnavailableException {

  public NodeUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
