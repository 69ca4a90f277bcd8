package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;

/** {@code move}: a single-token node takes a new token, then the ring settles. */
public final class Move implements NodeOperation {

  private static final Duration POLL = Duration.ofSeconds(1);
  private static final int POLLS = 60;

  @Override
  public String run(NodeTarget node, ObjectNode arguments) throws Exception {
    String token = arguments.get("token").asText();
    List<String> tokens = node.agent().tokens(node.ip());
    if (tokens.size() != 1) {
      throw new IllegalStateException(
          "node "
              + node.ip()
              + " has "
              + tokens.size()
              + " tokens (vnodes): only a single-token node can move");
    }
    if (tokens.get(0).equals(token)) {
      return "already at token " + token;
    }
    node.agent().move(node.ip(), token);
    // move() returns once the node has streamed; the ring settles right after.
    for (int attempt = 0; attempt < POLLS; attempt++) {
      if ("NORMAL".equals(node.agent().operationMode(node.ip()))) {
        return "moved from token " + tokens.get(0) + " to " + token;
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new IllegalStateException(
        "node " + node.ip() + " did not return to NORMAL after its move");
  }
}
