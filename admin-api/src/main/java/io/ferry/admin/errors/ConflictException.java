package io.ferry.admin.errors;

/**
 * The request contradicts what is going on: a node or job busy with another request, a change of a
 * service that is on.
 */
public final class ConflictException extends AdminException {

  public ConflictException(String message) {
    super(message, null);
  }
}
