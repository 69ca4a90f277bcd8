package io.ferry.admin.errors;

/**
 * The request asks for more than a configured limit allows (OpsCenter answers these with the brief
 * {@code error}).
 */
public final class LimitExceededException extends AdminException {

  public LimitExceededException(String message) {
    super(message, null);
  }
}
