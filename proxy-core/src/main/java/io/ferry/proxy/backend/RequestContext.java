package io.ferry.proxy.backend;

import io.netty.buffer.ByteBuf;

/**
 * What a request sent on a {@link BackendConnection} waits for its answer with: a client's request
 * being forwarded, or a request Ferry makes itself ({@link OwnRequest}). The connection hands the
 * answer to the context its stream id was reserved for, so no caller ever downcasts a context.
 */
public interface RequestContext {

  /** The answer arrived; the context owns {@code frame}. */
  void onResponse(BackendConnection from, ByteBuf frame);

  /**
   * The connection closed before the answer arrived. Forwarded client requests ignore it: their
   * client connection hears of the loss through {@link BackendConnection.Listener#onClosed} and
   * fails them all at once.
   */
  default void onConnectionClosed(BackendConnection from, RuntimeException cause) {}
}
