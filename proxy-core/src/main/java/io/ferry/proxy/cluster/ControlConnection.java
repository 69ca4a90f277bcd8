package io.ferry.proxy.cluster;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Options;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.Register;
import com.datastax.oss.protocol.internal.response.Supported;
import com.datastax.oss.protocol.internal.response.result.Rows;
import io.ferry.proxy.auth.AuthenticationException;
import io.ferry.proxy.auth.PlainTextAuthenticator;
import io.ferry.proxy.auth.SaslAuthenticator;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.backend.BackendHandshake;
import io.ferry.proxy.backend.CqlClient;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.metrics.NodeMetrics;
import io.ferry.proxy.tls.ClusterTls;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ferry's own connection to one cluster: finds a reachable node, negotiates the protocol version
 * downward from the configured maximum, learns the cluster's nodes and system tables, follows
 * topology and schema events, and reconnects with exponential backoff when it fails (its backend
 * connection heartbeats when idle, and closes when a heartbeat goes unanswered).
 *
 * <p>Thread policy: all state changes happen on its event loop; {@link #topology()} and {@link
 * #isUp()} may be read from any thread.
 */
public final class ControlConnection {

  private static final Logger LOG = LoggerFactory.getLogger(ControlConnection.class);

  private static final Duration REFRESH_DEBOUNCE = Duration.ofMillis(100);
  private static final String MURMUR3 = "org.apache.cassandra.dht.Murmur3Partitioner";
  private static final String RANDOM = "org.apache.cassandra.dht.RandomPartitioner";

  private final ClusterSettings cluster;
  private final ProxySettings proxy;
  private final EventLoop eventLoop;
  private final MessageCodec codec;
  private final Optional<ClusterTls> tls;
  private final String logPrefix;
  private final CompletableFuture<ClusterTopology> firstConnection = new CompletableFuture<>();

  private volatile ClusterTopology topology;
  private volatile CqlClient connection;
  private volatile boolean closed;
  private Duration nextRetryDelay;
  private ScheduledFuture<?> pendingRefresh;
  private volatile int consecutiveFailures;

  public ControlConnection(
      ClusterSettings cluster,
      ProxySettings proxy,
      EventLoop eventLoop,
      MessageCodec codec,
      Optional<ClusterTls> tls) {
    this.cluster = cluster;
    this.proxy = proxy;
    this.eventLoop = eventLoop;
    this.codec = codec;
    this.tls = tls;
    this.logPrefix = "[control " + cluster.role().id() + "]";
    this.nextRetryDelay = proxy.heartbeat().retryIntervalMin();
  }

  /**
   * Starts connecting. The future completes at the first successful connection; until then Ferry
   * retries with backoff, logging each failure. It fails only for a problem no retry can fix (an
   * unsupported partitioner).
   */
  public CompletableFuture<ClusterTopology> start() {
    eventLoop.execute(this::connect);
    return firstConnection;
  }

  public ClusterRole role() {
    return cluster.role();
  }

  /** The latest snapshot, or {@code null} before the first connection. */
  public ClusterTopology topology() {
    return topology;
  }

  public boolean isUp() {
    CqlClient current = connection;
    return current != null && current.isOpen();
  }

  /** The node the control connection is connected to, or {@code null} when it is not. */
  public InetSocketAddress endpoint() {
    CqlClient current = connection;
    return current != null && current.isOpen() ? current.remoteAddress() : null;
  }

  /** Consecutive failed connection attempts or heartbeats since the last success. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  public void close() {
    closed = true;
    eventLoop.execute(
        () -> {
          cancelTimers();
          CqlClient current = connection;
          if (current != null) {
            current.close();
          }
          firstConnection.completeExceptionally(
              new IllegalStateException(logPrefix + " closed before it connected"));
        });
  }

  private void connect() {
    if (closed) {
      return;
    }
    List<InetSocketAddress> candidates;
    try {
      candidates = candidates();
    } catch (UnknownHostException e) {
      onConnectionFailed("cannot resolve contact point " + e.getMessage());
      return;
    }
    tryCandidate(candidates, 0, new ArrayList<>());
  }

  private void tryCandidate(List<InetSocketAddress> candidates, int index, List<String> errors) {
    if (closed) {
      return;
    }
    if (index == candidates.size()) {
      onConnectionFailed("no node answered: " + String.join("; ", errors));
      return;
    }
    InetSocketAddress address = candidates.get(index);
    ProtocolVersion start =
        proxy.controlConnectionMaxProtocolVersion().isHigherThan(ProtocolVersion.HIGHEST_SUPPORTED)
            ? ProtocolVersion.HIGHEST_SUPPORTED
            : proxy.controlConnectionMaxProtocolVersion();
    negotiate(address, start)
        .thenCompose(this::initialize)
        .whenComplete(
            (ready, failure) -> {
              if (failure == null) {
                onConnected(ready);
                return;
              }
              Throwable cause = BackendHandshake.unwrap(failure);
              if (cause instanceof UnusableClusterException fatal) {
                LOG.error("{} {}", logPrefix, fatal.getMessage());
                firstConnection.completeExceptionally(fatal);
                return;
              }
              errors.add(Endpoints.format(address) + ": " + cause.getMessage());
              tryCandidate(candidates, index + 1, errors);
            });
  }

  /** Opens a connection at {@code version}, stepping down while the node refuses it. */
  private CompletableFuture<CqlClient> negotiate(
      InetSocketAddress address, ProtocolVersion version) {
    return BackendHandshake.negotiate(
        candidateVersion ->
            CqlClient.open(
                eventLoop,
                address,
                cluster.connectionTimeout(),
                BackendConnection.Options.of(
                    cluster,
                    proxy,
                    logPrefix,
                    candidateVersion.code(),
                    NodeMetrics.detached(),
                    tls),
                codec),
        version,
        Map.of("CQL_VERSION", "3.0.0", "DRIVER_NAME", "Ferry"),
        this::credentials,
        (refused, next) ->
            LOG.debug("{} {} refused protocol {}, trying {}", logPrefix, address, refused, next));
  }

  /** Ferry's configured credentials for the authenticator a node names. */
  private SaslAuthenticator credentials(String authenticator) {
    if (!cluster.hasCredentials()) {
      throw new AuthenticationException(
          "the cluster requires authentication ("
              + authenticator
              + "): set "
              + cluster.credentialSettings());
    }
    return new PlainTextAuthenticator(cluster.username(), cluster.password(), authenticator);
  }

  private record Connected(CqlClient connection, ClusterTopology topology) {}

  private CompletableFuture<Connected> initialize(CqlClient opened) {
    CompletableFuture<Map<String, List<String>>> supported =
        opened
            .send(Options.INSTANCE)
            .thenApply(
                frame -> {
                  if (frame.message instanceof Supported answer) {
                    return answer.options;
                  }
                  throw new IllegalStateException("unexpected answer to OPTIONS: " + frame.message);
                });
    return supported
        .thenCompose(options -> readTopology(opened, options))
        .thenCompose(
            snapshot ->
                opened
                    .send(
                        new Register(
                            List.of(
                                ProtocolConstants.EventType.TOPOLOGY_CHANGE,
                                ProtocolConstants.EventType.STATUS_CHANGE,
                                ProtocolConstants.EventType.SCHEMA_CHANGE)))
                    .thenApply(ignored -> new Connected(opened, snapshot)))
        .whenComplete(
            (ready, failure) -> {
              if (failure != null) {
                opened.close();
              }
            });
  }

  private CompletableFuture<ClusterTopology> readTopology(
      CqlClient opened, Map<String, List<String>> supported) {
    CompletableFuture<SystemRows> local = query(opened, "SELECT * FROM system.local");
    CompletableFuture<SystemRows> peers = query(opened, "SELECT * FROM system.peers");
    return local.thenCombine(peers, (l, p) -> buildTopology(opened, l, p, supported));
  }

  private CompletableFuture<SystemRows> query(CqlClient opened, String cql) {
    return opened
        .send(new Query(cql))
        .thenApply(
            frame -> {
              if (frame.message instanceof Rows rows) {
                return SystemRows.of(rows);
              }
              throw new IllegalStateException(cql + " failed: " + frame.message);
            });
  }

  private ClusterTopology buildTopology(
      CqlClient opened, SystemRows local, SystemRows peers, Map<String, List<String>> supported) {
    if (local.rows().isEmpty()) {
      throw new IllegalStateException("system.local is empty");
    }
    String partitioner = local.text(0, "partitioner");
    if (partitioner != null && !partitioner.equals(MURMUR3) && !partitioner.equals(RANDOM)) {
      throw new UnusableClusterException(
          "the cluster uses "
              + partitioner
              + ": Ferry's topology virtualization needs Murmur3Partitioner or RandomPartitioner");
    }
    Host controlHost = host(local, 0, opened.remoteAddress());
    String datacenter =
        cluster.localDatacenter().isEmpty() ? controlHost.datacenter() : cluster.localDatacenter();
    List<Host> hosts = new ArrayList<>();
    hosts.add(controlHost);
    for (int row = 0; row < peers.rows().size(); row++) {
      InetAddress address = peers.inet(row, "rpc_address");
      if (address == null || address.isAnyLocalAddress()) {
        address = peers.inet(row, "peer");
      }
      if (address != null) {
        hosts.add(host(peers, row, new InetSocketAddress(address, cluster.port())));
      }
    }
    List<Host> localHosts =
        hosts.stream().filter(host -> datacenter.equals(host.datacenter())).toList();
    if (localHosts.isEmpty()) {
      throw new UnusableClusterException(
          "no node in datacenter "
              + datacenter
              + " (ferry."
              + cluster.role().id()
              + ".local-datacenter); the cluster has "
              + hosts.stream().map(Host::datacenter).distinct().toList());
    }
    return new ClusterTopology(
        cluster.role(),
        controlHost,
        datacenter,
        localHosts,
        local,
        peers,
        ProtocolVersion.fromCode(opened.protocolVersion()),
        supported);
  }

  private static Host host(SystemRows rows, int row, InetSocketAddress endpoint) {
    UUID hostId = rows.uuid(row, "host_id");
    return new Host(
        endpoint,
        rows.text(row, "data_center"),
        rows.text(row, "rack"),
        hostId,
        rows.text(row, "release_version"),
        rows.uuid(row, "schema_version") == null
            ? null
            : rows.uuid(row, "schema_version").toString(),
        rows.rowByName(row));
  }

  private void onConnected(Connected ready) {
    if (closed) {
      ready.connection().close();
      return;
    }
    CqlClient opened = ready.connection();
    connection = opened;
    topology = ready.topology();
    consecutiveFailures = 0;
    nextRetryDelay = proxy.heartbeat().retryIntervalMin();
    LOG.info(
        "{} connected to {} (protocol {}, datacenter {}, {} node(s) in it: {})",
        logPrefix,
        Endpoints.format(opened.remoteAddress()),
        topology.protocolVersion(),
        topology.localDatacenter(),
        topology.localHosts().size(),
        topology.localHosts());
    opened.setEventListener(this::onEvent);
    opened
        .closeFuture()
        .thenAccept(reason -> eventLoop.execute(() -> onConnectionLost(opened, reason)));
    firstConnection.complete(topology);
  }

  private void onEvent(Frame event) {
    // Topology, status and schema changes all change what system.local/system.peers say (schema
    // versions included), so any of them refreshes the snapshot, debounced.
    eventLoop.execute(
        () -> {
          if (pendingRefresh != null && !pendingRefresh.isDone()) {
            return;
          }
          pendingRefresh =
              eventLoop.schedule(this::refresh, REFRESH_DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
        });
  }

  /**
   * Runs a query on the control connection (Ferry's own lookups, such as schema details for logs);
   * fails when the connection is down or the query does not return rows.
   */
  public CompletableFuture<SystemRows> query(String cql) {
    CqlClient current = connection;
    if (current == null || !current.isOpen()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(logPrefix + " is not connected"));
    }
    return query(current, cql);
  }

  /** Re-reads system.local and system.peers now. */
  public CompletableFuture<ClusterTopology> refresh() {
    CqlClient current = connection;
    ClusterTopology previous = topology;
    if (current == null || !current.isOpen() || previous == null) {
      return CompletableFuture.completedFuture(previous);
    }
    return readTopology(current, previous.supported())
        .whenComplete(
            (snapshot, failure) -> {
              if (failure != null) {
                LOG.warn(
                    "{} topology refresh failed: {}",
                    logPrefix,
                    BackendHandshake.unwrap(failure).getMessage());
              } else {
                if (!endpoints(snapshot).equals(endpoints(previous))) {
                  LOG.info("{} nodes now: {}", logPrefix, snapshot.localHosts());
                }
                topology = snapshot;
              }
            });
  }

  private static List<InetSocketAddress> endpoints(ClusterTopology topology) {
    return topology.localHosts().stream().map(Host::endpoint).toList();
  }

  private void onConnectionLost(CqlClient lost, String reason) {
    if (connection != lost) {
      return;
    }
    cancelTimers();
    if (closed) {
      return;
    }
    consecutiveFailures++;
    LOG.warn(
        "{} lost its connection to {}: {}; reconnecting", logPrefix, lost.remoteAddress(), reason);
    scheduleReconnect();
  }

  private void onConnectionFailed(String reason) {
    consecutiveFailures++;
    LOG.warn(
        "{} could not connect ({}); retrying in {} ms",
        logPrefix,
        reason,
        nextRetryDelay.toMillis());
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    long delay = nextRetryDelay.toMillis();
    // Jitter keeps a fleet of Ferry instances from reconnecting in lockstep.
    long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    eventLoop.schedule(this::connect, jittered, TimeUnit.MILLISECONDS);
    long next = (long) (delay * proxy.heartbeat().retryBackoffFactor());
    nextRetryDelay =
        Duration.ofMillis(Math.min(next, proxy.heartbeat().retryIntervalMax().toMillis()));
  }

  private void cancelTimers() {
    if (pendingRefresh != null) {
      pendingRefresh.cancel(false);
      pendingRefresh = null;
    }
  }

  private List<InetSocketAddress> candidates() throws UnknownHostException {
    Set<InetSocketAddress> candidates = new LinkedHashSet<>();
    for (String contactPoint : cluster.contactPoints()) {
      for (InetAddress address : InetAddress.getAllByName(contactPoint)) {
        candidates.add(new InetSocketAddress(address, cluster.port()));
      }
    }
    ClusterTopology known = topology;
    if (known != null) {
      known.localHosts().forEach(host -> candidates.add(host.endpoint()));
    }
    return new ArrayList<>(candidates);
  }

  /** The cluster cannot be used with Ferry; retrying will not help. */
  public static final class UnusableClusterException extends RuntimeException {
    UnusableClusterException(String message) {
      super(message);
    }
  }
}
