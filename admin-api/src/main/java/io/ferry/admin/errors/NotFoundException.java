package io.ferry.admin.errors;

/** What the request names (a cluster, a request, a page) does not exist. */
public final class NotFoundException extends AdminException {

  public NotFoundException(String message) {
    super(message, null);
  }
}
