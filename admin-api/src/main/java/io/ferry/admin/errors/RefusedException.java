package io.ferry.admin.errors;

/**
 * A request refused for where it comes from (a web page of another site, a host name the API does
 * not answer to), whatever it asks.
 */
public final class RefusedException extends AdminException {

  public RefusedException(String message) {
    super(message, null);
  }
}
