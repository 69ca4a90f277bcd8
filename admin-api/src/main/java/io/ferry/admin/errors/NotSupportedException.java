package io.ferry.admin.errors;

/** Ferry does not do what the request asks (on this cluster, or at all). */
public final class NotSupportedException extends AdminException {

  public NotSupportedException(String message) {
    super(message, null);
  }
}
