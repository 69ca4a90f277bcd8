package io.ferry.proxy.cluster;

import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.frame.ProtocolVersion;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What a control connection knows of its cluster at one moment: an immutable snapshot, replaced as
 * a whole when the topology or schema changes.
 *
 * @param controlHost the node the control connection is connected to
 * @param localHosts the nodes of the local datacenter, sorted by rack then host id (the order that
 *     host assignment and topology virtualization rely on)
 * @param local the control node's {@code system.local} rows
 * @param peers the control node's {@code system.peers} rows
 * @param protocolVersion the highest version the control connection negotiated (capped at what
 *     Ferry speaks)
 * @param supported the options from the node's SUPPORTED answer
 */
public record ClusterTopology(
    ClusterRole role,
    Host controlHost,
    String localDatacenter,
    List<Host> localHosts,
    SystemRows local,
    SystemRows peers,
    ProtocolVersion protocolVersion,
    Map<String, List<String>> supported) {

  static final Comparator<Host> RACK_THEN_HOST_ID =
      Comparator.comparing((Host host) -> host.rack() == null ? "" : host.rack())
          .thenComparing(host -> host.hostId() == null ? "" : host.hostId().toString());

  public ClusterTopology {
    localHosts = localHosts.stream().sorted(RACK_THEN_HOST_ID).toList();
    supported = Map.copyOf(supported);
  }
}
