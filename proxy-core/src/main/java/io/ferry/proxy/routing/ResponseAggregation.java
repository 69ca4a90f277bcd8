package io.ferry.proxy.routing;

import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import io.ferry.proxy.common.ClusterRole;

/**
 * Which cluster's answer the client gets for a request sent to both, as the ZDM Proxy decides:
 *
 * <ul>
 *   <li>one cluster failed: its error (the write is not on both clusters, and the client must
 *       know);
 *   <li>both failed: origin's error;
 *   <li>both succeeded: origin's answer to PREPARE (the client must learn origin's id) and to
 *       STARTUP (origin leads the handshake), the primary cluster's otherwise.
 * </ul>
 */
public final class ResponseAggregation {

  private ResponseAggregation() {}

  /**
   * @param requestOpcode the request's opcode
   * @param originOpcode the opcode of origin's answer
   * @param targetOpcode the opcode of target's answer
   */
  public static ClusterRole choose(
      int requestOpcode, int originOpcode, int targetOpcode, ClusterRole primary) {
    boolean originFailed = originOpcode == Opcode.ERROR;
    boolean targetFailed = targetOpcode == Opcode.ERROR;
    if (originFailed) {
      return ClusterRole.ORIGIN;
    }
    if (targetFailed) {
      return ClusterRole.TARGET;
    }
    if (requestOpcode == Opcode.PREPARE || requestOpcode == Opcode.STARTUP) {
      return ClusterRole.ORIGIN;
    }
    return primary;
  }
}
