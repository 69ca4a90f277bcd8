package io.ferry.admin.agent;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.EndPoint;
import com.datastax.oss.driver.api.core.metadata.Metadata;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.datastax.oss.driver.api.core.ssl.SslEngineFactory;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.tls.ClusterTls;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's CQL session to one cluster (the Java driver, with the proxy's contact points,
 * credentials and TLS), opened on first use: cluster state (nodes, schema) and the admin API's own
 * tables.
 *
 * <p>Thread policy: blocking; call from a worker pool. Thread-safe.
 */
public final class ClusterSession implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterSession.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(12);

  private final String clusterId;
  private final ClusterSettings settings;
  private final Optional<ClusterTls> tls;
  private CqlSession session; // guarded by this

  public ClusterSession(String clusterId, ClusterSettings settings, Optional<ClusterTls> tls) {
    this.clusterId = clusterId;
    this.settings = settings;
    this.tls = tls;
  }

  public String clusterId() {
    return clusterId;
  }

  public ClusterSettings settings() {
    return settings;
  }

  /** The session, connecting first if needed. */
  public synchronized CqlSession session() {
    if (session == null || session.isClosed()) {
      session = open();
    }
    return session;
  }

  private CqlSession open() {
    ProgrammaticDriverConfigLoaderBuilder config =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
            .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(5))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
            // A restarted node must be back in the pool soon: readiness checks query it directly.
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
            .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(2))
            // Every node, of every datacenter, gets a connection, so that any can be queried.
            .withInt(DefaultDriverOption.LOAD_BALANCING_DC_FAILOVER_MAX_NODES_PER_REMOTE_DC, 10_000)
            .withBoolean(
                DefaultDriverOption.LOAD_BALANCING_DC_FAILOVER_ALLOW_FOR_LOCAL_CONSISTENCY_LEVELS,
                true)
            .withString(DefaultDriverOption.SESSION_NAME, "ferry-admin-" + clusterId);
    if (settings.localDatacenter() == null || settings.localDatacenter().isEmpty()) {
      config.withString(
          DefaultDriverOption.LOAD_BALANCING_POLICY_CLASS, "DcInferringLoadBalancingPolicy");
    }
    CqlSessionBuilder builder = CqlSession.builder().withConfigLoader(config.build());
    for (String contactPoint : settings.contactPoints()) {
      builder.addContactPoint(InetSocketAddress.createUnresolved(contactPoint, settings.port()));
    }
    if (settings.localDatacenter() != null && !settings.localDatacenter().isEmpty()) {
      builder.withLocalDatacenter(settings.localDatacenter());
    }
    if (settings.hasCredentials()) {
      builder.withAuthCredentials(settings.username(), settings.password());
    }
    tls.ifPresent(clusterTls -> builder.withSslEngineFactory(new EngineFactory(clusterTls)));
    try {
      CqlSession opened = builder.build();
      LOG.info(
          "Admin API connected to the {} cluster ({} nodes)",
          clusterId,
          opened.getMetadata().getNodes().size());
      return opened;
    } catch (RuntimeException e) {
      throw new NodeUnreachableException(
          "cannot connect to the "
              + clusterId
              + " cluster over CQL ("
              + String.join(",", settings.contactPoints())
              + ":"
              + settings.port()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  /** The cluster's nodes, by address. */
  public List<Node> nodes() {
    return session().getMetadata().getNodes().values().stream()
        .sorted(Comparator.comparing(ClusterSession::address))
        .toList();
  }

  /** The address Ferry reaches a node at (its broadcast RPC address, else its endpoint). */
  public static String address(Node node) {
    if (node.getBroadcastRpcAddress().isPresent()) {
      return node.getBroadcastRpcAddress().get().getAddress().getHostAddress();
    }
    EndPoint endPoint = node.getEndPoint();
    InetSocketAddress resolved = (InetSocketAddress) endPoint.resolve();
    return resolved.getAddress() != null
        ? resolved.getAddress().getHostAddress()
        : resolved.getHostString();
  }

  /**
   * The node of this cluster at {@code ip}.
   *
   * @throws InvalidArgumentsException naming the address and the cluster's nodes if there is none
   */
  public Node requireNode(String ip) {
    List<Node> nodes = nodes();
    for (Node node : nodes) {
      if (address(node).equals(ip)
          || node.getListenAddress()
              .map(a -> a.getAddress().getHostAddress().equals(ip))
              .orElse(false)) {
        return node;
      }
    }
    throw new InvalidArgumentsException(
        "node_ip: "
            + ip
            + " is not a node of cluster "
            + clusterId
            + " (expected one of: "
            + String.join(", ", nodes.stream().map(ClusterSession::address).toList())
            + ")");
  }

  /**
   * The keyspace's metadata.
   *
   * @throws InvalidArgumentsException naming the keyspace if the cluster has none of that name
   */
  public KeyspaceMetadata requireKeyspace(String keyspace) {
    CqlIdentifier name = CqlIdentifier.fromInternal(keyspace);
    return session()
        .getMetadata()
        .getKeyspace(name)
        .or(() -> refreshedSchema().getKeyspace(name))
        .orElseThrow(
            () ->
                new InvalidArgumentsException(
                    "ks_name: keyspace "
                        + keyspace
                        + " does not exist in cluster "
                        + clusterId
                        + " (expected one of: "
                        + String.join(", ", keyspaces())
                        + ")"));
  }

  private KeyspaceMetadata requireKeyspace(Metadata schema, String keyspace) {
    return schema
        .getKeyspace(CqlIdentifier.fromInternal(keyspace))
        .orElseGet(() -> requireKeyspace(keyspace));
  }

  private static Set<String> tables(KeyspaceMetadata keyspace) {
    Set<String> names = new TreeSet<>();
    keyspace.getTables().keySet().forEach(id -> names.add(id.asInternal()));
    return names;
  }

  /**
   * The schema as the cluster has it now. The driver's copy follows schema changes made by other
   * clients with a delay (it debounces their events), so a keyspace or table created a moment ago
   * on a node may be missing from it: a name it does not know is looked up again here before it is
   * refused.
   */
  private Metadata refreshedSchema() {
    try {
      return session().refreshSchema();
    } catch (RuntimeException e) {
      LOG.debug("cannot refresh the schema of cluster {}: {}", clusterId, e.toString());
      return session().getMetadata();
    }
  }

  /** Names of the cluster's keyspaces. */
  public Set<String> keyspaces() {
    Set<String> names = new TreeSet<>();
    session().getMetadata().getKeyspaces().keySet().forEach(id -> names.add(id.asInternal()));
    return names;
  }

  /**
   * Checks that every table exists in the keyspace.
   *
   * @throws InvalidArgumentsException naming the first unknown table and the keyspace's tables
   */
  public void requireTables(String keyspace, List<String> tables) {
    Set<String> known = tables(requireKeyspace(keyspace));
    if (!known.containsAll(tables)) {
      known = tables(requireKeyspace(refreshedSchema(), keyspace));
    }
    for (String table : tables) {
      if (!known.contains(table)) {
        throw new InvalidArgumentsException(
            "table "
                + keyspace
                + "."
                + table
                + " does not exist in cluster "
                + clusterId
                + " (tables of "
                + keyspace
                + ": "
                + (known.isEmpty() ? "none" : String.join(", ", known))
                + ")");
      }
    }
  }

  /**
   * Whether the node answers a CQL query ({@code system.local}) sent to it directly, and the driver
   * sees it up.
   */
  public boolean answers(String ip) {
    try {
      Node node = requireNode(ip);
      if (node.getState() != NodeState.UP) {
        return false;
      }
      session()
          .execute(
              SimpleStatement.newInstance("SELECT release_version FROM system.local")
                  .setNode(node)
                  .setTimeout(Duration.ofSeconds(3)));
      return true;
    } catch (RuntimeException e) {
      LOG.trace("{} does not answer CQL yet: {}", ip, e.toString());
      return false;
    }
  }

  @Override
  public synchronized void close() {
    if (session != null) {
      session.close();
      session = null;
    }
  }

  /** TLS for the driver's connections, with the proxy's settings for this cluster. */
  private record EngineFactory(ClusterTls tls) implements SslEngineFactory {

    @Override
    public SSLEngine newSslEngine(EndPoint remoteEndpoint) {
      return tls.newEngine(ByteBufAllocator.DEFAULT, (InetSocketAddress) remoteEndpoint.resolve());
    }

    @Override
    public void close() {}
  }
}
