package io.ferry.proxy.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Which local-datacenter nodes a Ferry instance sends its client connections to, as the ZDM Proxy
 * decides it: with N instances, node j (in rack-then-host-id order) belongs to instance {@code j
 * mod N}; with more instances than nodes, instance i takes node {@code i mod nodeCount}. Instances
 * therefore spread over the nodes instead of all using the same ones.
 */
public final class HostAssignment {

  private HostAssignment() {}

  public static List<Host> assignedHosts(
      List<Host> orderedHosts, int instanceIndex, int instanceCount) {
    List<Host> assigned = new ArrayList<>();
    int hostCount = orderedHosts.size();
    if (hostCount == 0) {
      return assigned;
    }
    for (int j = 0; j < hostCount; j++) {
      if (j % instanceCount == instanceIndex % hostCount) {
        assigned.add(orderedHosts.get(j));
      }
    }
    return assigned;
  }
}
