package io.ferry.admin.errors;

/**
 * Something the request needs cannot answer now (a node, a cluster's quorum, a full worker pool);
 * the same request may succeed later.
 */
public non-sealed class UnavailableException extends AdminException {

  public UnavailableException(String message) {
    super(message, null);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
