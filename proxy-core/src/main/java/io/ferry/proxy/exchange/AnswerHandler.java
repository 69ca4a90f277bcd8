package io.ferry.proxy.exchange;

/**
 * Who takes a request once every answer it awaited is in: the {@link ResponseAggregator} for the
 * client's requests, the client handshake for the STARTUP and AUTH_RESPONSE it forwards.
 */
public interface AnswerHandler {

  /**
   * Every awaited answer of {@code request} is in, and the request has left its table. The handler
   * owns the answers it reads from the request (and releases them, or forgets them there).
   */
  void answered(InFlightRequest request);
}
