package io.ferry.proxy.handshake;

import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.backend.OwnRequest;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.session.ClientSession;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A handshake frame of the client's (STARTUP, AUTH_RESPONSE) forwarded to one cluster, and what
 * became of it: the cluster's answer, or why none came.
 *
 * <p>Buffer ownership: the answer is the frame's until {@link #take} hands it on; an abandoned
 * frame releases it.
 *
 * <p>Thread policy: used on the client channel's event loop only.
 */
final class ForwardedFrame extends OwnRequest {

  final int clientStreamId;
  private final ClientSession session;
  private final BackendConnection to;
  private final Consumer<ForwardedFrame> onDone;
  private ByteBuf answer;
  private RuntimeException failure;
  private boolean done;
  private boolean abandoned;

  /**
   * @param onDone told once the cluster answered or failed, unless the frame was abandoned or the
   *     client connection closed
   */
  ForwardedFrame(
      ClientSession session,
      BackendConnection to,
      int clientStreamId,
      Consumer<ForwardedFrame> onDone) {
    this.session = session;
    this.to = to;
    this.clientStreamId = clientStreamId;
    this.onDone = onDone;
  }

  /** Sends {@code frame} (taken) to the cluster and flushes. */
  void send(ByteBuf frame) {
    to.send(frame, this);
    to.flush();
  }

  boolean isDone() {
    return done;
  }

  boolean failed() {
    return failure != null;
  }

  /** Whether the cluster's connection was lost, rather than slow. */
  boolean connectionLost() {
    return failure != null && !timedOut();
  }

  private boolean timedOut() {
    return failure instanceof BackendConnection.OwnRequestTimeoutException;
  }

  /** The answer, now the caller's. */
  ByteBuf take() {
    ByteBuf taken = answer;
    answer = null;
    return taken;
  }

  @Override
  protected void answered(ByteBuf frame) {
    done = true;
    if (abandoned || session.isClosed()) {
      frame.release();
      return;
    }
    answer = frame;
    onDone.accept(this);
    session.flush();
  }

  @Override
  protected void failed(RuntimeException cause) {
    done = true;
    failure = cause;
    if (!abandoned && !session.isClosed()) {
      onDone.accept(this);
      session.flush();
    }
  }

  /** The client connection ended; an answer kept while the other cluster's was awaited goes. */
  void abandon() {
    abandoned = true;
    ReferenceCountUtil.safeRelease(take());
  }

  /**
   * Why the clusters of {@code frames} that failed gave no answer: their connection was lost, or
   * none came within request-timeout.
   */
  static String failure(List<ForwardedFrame> frames, long requestTimeoutMillis) {
    List<String> silent = new ArrayList<>(2);
    for (ForwardedFrame frame : frames) {
      String cluster = frame.to.role().id() + " " + Endpoints.format(frame.to.node());
      if (frame.connectionLost()) {
        return "Ferry lost its connection to "
            + cluster
            + ": "
            + (frame.failure instanceof BackendConnection.BackendClosedException closed
                ? closed.reason()
                : frame.failure.getMessage());
      }
      if (frame.timedOut()) {
        silent.add(cluster);
      }
    }
    return "Ferry received no answer from "
        + String.join(" and ", silent)
        + " within "
        + requestTimeoutMillis
        + " ms (request-timeout)";
  }
}
