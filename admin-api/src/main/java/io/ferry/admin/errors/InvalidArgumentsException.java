package io.ferry.admin.errors;

/** An argument (path, query or body) is malformed or names something that does not exist. */
public final class InvalidArgumentsException extends AdminException {

  public InvalidArgumentsException(String message) {
    super(message, null);
  }
}
