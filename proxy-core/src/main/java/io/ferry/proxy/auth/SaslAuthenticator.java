package io.ferry.proxy.auth;

/**
 * The client side of one SASL exchange: the first token, then one answer per server challenge. Used
 * by one exchange at a time.
 */
public interface SaslAuthenticator {

  /** The token of the first AUTH_RESPONSE. */
  byte[] initialResponse();

  /**
   * The token answering an AUTH_CHALLENGE.
   *
   * @throws AuthenticationException when the challenge cannot be answered
   */
  byte[] evaluateChallenge(byte[] challenge);
}
