package io.ferry.proxy.cluster;

import io.ferry.proxy.backend.BackendChannels;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.metrics.NodeMetrics;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.ferry.proxy.tls.ClusterTls;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Opens a client connection's connection to one cluster: picks the node (round-robin over this
 * instance's assigned nodes), and when it cannot be reached tries the next ones, including the rest
 * of the local datacenter, within the cluster's connection timeout. With TLS, a connection counts
 * as open once its TLS handshake succeeded; a refused handshake is a failed attempt, whose reason
 * the resulting error gives.
 *
 * <p>Thread-safe. The new channel lives on the client channel's event loop, so that a client
 * connection and its cluster connections share one thread and need no locks.
 */
public final class ClusterConnector {

  private final ClusterSettings cluster;
  private final ProxySettings proxy;
  private final ControlConnection controlConnection;
  private final ProxyMetrics metrics;
  private final Optional<ClusterTls> tls;
  private final AtomicInteger roundRobin = new AtomicInteger();

  public ClusterConnector(
      ClusterSettings cluster,
      ProxySettings proxy,
      ControlConnection controlConnection,
      ProxyMetrics metrics,
      Optional<ClusterTls> tls) {
    this.cluster = cluster;
    this.proxy = proxy;
    this.controlConnection = controlConnection;
    this.metrics = metrics;
    this.tls = tls;
  }

  public ClusterRole role() {
    return cluster.role();
  }

  public ControlConnection controlConnection() {
    return controlConnection;
  }

  /**
   * Connects, trying candidate nodes in turn.
   *
   * @param clientLabel the client's address, for log prefixes
   */
  public CompletableFuture<BackendConnection> connect(
      EventLoop eventLoop, int protocolVersion, String clientLabel) {
    Attempt attempt =
        new Attempt(
            eventLoop,
            protocolVersion,
            clientLabel,
            candidates(),
            node -> metrics.node(cluster.role(), node),
            true);
    attempt.next(0);
    return attempt.result;
  }

  /**
   * Connects to one given node, for mirrored reads: they go to the node that the client
   * connection's own connection to this cluster uses, which knows its prepared statements. Counted
   * under the {@code async} metrics, not as a client connection failure.
   */
  public CompletableFuture<BackendConnection> connectForMirroredReads(
      EventLoop eventLoop, int protocolVersion, String clientLabel, InetSocketAddress node) {
    Attempt attempt =
        new Attempt(
            eventLoop,
            protocolVersion,
            "mirror " + clientLabel,
            List.of(node),
            metrics::asyncNode,
            false);
    attempt.next(0);
    return attempt.result;
  }

  /** Connection attempts over candidate nodes, in turn, within the connection timeout. */
  private final class Attempt {
    private final EventLoop eventLoop;
    private final int protocolVersion;
    private final String clientLabel;
    private final List<InetSocketAddress> candidates;
    private final Function<String, NodeMetrics> nodeMetrics;
    private final boolean countClientFailure;
    private final long deadline;
    private final List<String> errors = new ArrayList<>();
    private final CompletableFuture<BackendConnection> result = new CompletableFuture<>();

    Attempt(
        EventLoop eventLoop,
        int protocolVersion,
        String clientLabel,
        List<InetSocketAddress> candidates,
        Function<String, NodeMetrics> nodeMetrics,
        boolean countClientFailure) {
      this.eventLoop = eventLoop;
      this.protocolVersion = protocolVersion;
      this.clientLabel = clientLabel;
      this.candidates = candidates;
      this.nodeMetrics = nodeMetrics;
      this.countClientFailure = countClientFailure;
      this.deadline = System.nanoTime() + cluster.connectionTimeout().toNanos();
    }

    void next(int index) {
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (index == candidates.size() || remainingMillis <= 0) {
        if (index < candidates.size()) {
          errors.add(
              "connection timeout (" + cluster.connectionTimeout().toMillis() + " ms) elapsed");
        }
        if (countClientFailure) {
          metrics.connectionFailed(cluster.role());
        }
        result.completeExceptionally(
            new ClusterUnavailableException(
                "Ferry could not connect to "
                    + cluster.role().id()
                    + ": "
                    + (errors.isEmpty() ? "no node known" : String.join("; ", errors))));
        return;
      }
      InetSocketAddress node = candidates.get(index);
      String address = Endpoints.format(node);
      String logPrefix =
          "[client " + clientLabel + " → " + cluster.role().id() + " " + address + "]";
      NodeMetrics meters = nodeMetrics.apply(address);
      Duration remaining = Duration.ofMillis(Math.max(1, remainingMillis));
      BackendChannels.open(
              eventLoop,
              node,
              remaining,
              BackendConnection.Options.of(cluster, proxy, logPrefix, protocolVersion, meters, tls))
          .whenComplete(
              (connection, failure) -> {
                if (failure == null) {
                  result.complete(connection);
                } else {
                  failed(index, address + ": " + failure.getMessage(), meters);
                }
              });
    }

    private void failed(int index, String error, NodeMetrics meters) {
      errors.add(error);
      meters.connectionFailed();
      next(index + 1);
    }
  }

  /**
   * Where this instance's client connections belong, by host assignment: its assigned nodes, and
   * the rest of the local datacenter (fallbacks while those are down). Both empty when host
   * assignment is off (every node is as good as another) or the topology is not known yet.
   */
  public record Assignment(List<InetSocketAddress> assigned, List<InetSocketAddress> fallbacks) {}

  public Assignment assignment() {
    ClusterTopology topology = controlConnection.topology();
    if (topology == null || !cluster.enableHostAssignment()) {
      return new Assignment(List.of(), List.of());
    }
    List<Host> assigned = assignedHosts(topology);
    return new Assignment(
        assigned.stream().map(Host::endpoint).toList(),
        topology.localHosts().stream()
            .filter(host -> !assigned.contains(host))
            .map(Host::endpoint)
            .toList());
  }

  private List<Host> assignedHosts(ClusterTopology topology) {
    int count = Math.max(1, proxy.topology().addresses().size());
    return HostAssignment.assignedHosts(topology.localHosts(), proxy.topology().index(), count);
  }

  /** Assigned nodes first (round-robin), then the rest of the local datacenter as fallbacks. */
  List<InetSocketAddress> candidates() {
    ClusterTopology topology = controlConnection.topology();
    if (topology == null) {
      return List.of();
    }
    List<Host> preferred;
    if (cluster.enableHostAssignment()) {
      preferred = assignedHosts(topology);
    } else {
      preferred = List.of(topology.controlHost());
    }
    Set<InetSocketAddress> ordered = new LinkedHashSet<>();
    if (!preferred.isEmpty()) {
      int start = Math.floorMod(roundRobin.getAndIncrement(), preferred.size());
      for (int i = 0; i < preferred.size(); i++) {
        ordered.add(preferred.get((start + i) % preferred.size()).endpoint());
      }
    }
    topology.localHosts().forEach(host -> ordered.add(host.endpoint()));
    return new ArrayList<>(ordered);
  }

  /** No node of the cluster could be reached. */
  public static final class ClusterUnavailableException extends RuntimeException {
    ClusterUnavailableException(String message) {
      super(message);
    }
  }
}
