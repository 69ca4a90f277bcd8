package io.ferry.proxy.tls;

/** TLS with a peer failed; the message says why, for an operator. */
public final class TlsFailureException extends RuntimeException {

  public TlsFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
