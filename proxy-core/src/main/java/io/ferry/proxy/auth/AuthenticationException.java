package io.ferry.proxy.auth;

/** An authentication exchange that cannot go on; the message never contains a secret. */
public final class AuthenticationException extends RuntimeException {

  public AuthenticationException(String message) {
    super(message);
  }
}
