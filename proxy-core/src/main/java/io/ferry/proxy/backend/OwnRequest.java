package io.ferry.proxy.backend;

import io.ferry.proxy.stream.DeadlineQueue;
import io.netty.buffer.ByteBuf;

/**
 * A request Ferry sends itself on a backend connection (a handshake step, a query of its internal
 * CQL client): it ends exactly once, with its answer or with a failure (no answer within the
 * connection's request timeout, or the connection closed).
 *
 * <p>Thread policy: used on its connection's event loop only.
 */
public abstract class OwnRequest extends DeadlineQueue.Entry<OwnRequest> implements RequestContext {

  int streamId = -1;
  private boolean ended;

  /** The answer; takes ownership of {@code frame}. */
  protected abstract void answered(ByteBuf frame);

  /** No answer will come. */
  protected abstract void failed(RuntimeException cause);

  @Override
  public final void onResponse(BackendConnection from, ByteBuf frame) {
    from.ownRequestAnswered(this);
    if (ended) {
      frame.release();
      return;
    }
    ended = true;
    answered(frame);
  }

  @Override
  public final void onConnectionClosed(BackendConnection from, RuntimeException cause) {
    from.ownRequestAnswered(this);
    fail(cause);
  }

  final void fail(RuntimeException cause) {
    if (!ended) {
      ended = true;
      failed(cause);
    }
  }
}
