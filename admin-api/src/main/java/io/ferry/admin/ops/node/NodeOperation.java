package io.ferry.admin.ops.node;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one node action does to its node.
 *
 * <p>Thread policy: blocking (JMX, processes, waits); worker pool. Implementations are stateless.
 */
public interface NodeOperation {

  /**
   * Carries out the action.
   *
   * @param arguments the action's validated arguments, as stored in its request's plan
   * @return what happened, for the request's message
   * @throws Exception why it failed
   */
  String run(NodeTarget node, ObjectNode arguments) throws Exception;
}
