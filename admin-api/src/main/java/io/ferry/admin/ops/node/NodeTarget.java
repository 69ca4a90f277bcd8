package io.ferry.admin.ops.node;

import io.ferry.admin.agent.NodeAgent;
import io.ferry.admin.process.ProcessControl;

/**
 * The node an operation acts on, and how Ferry reaches it.
 *
 * @param ip the address Ferry reaches the node at
 */
public record NodeTarget(String clusterId, String ip, NodeAgent agent, ProcessControl processes) {}
