package io.ferry.admin.cluster;

import io.ferry.admin.AdminSettings;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.agent.NodeAgent;
import io.ferry.admin.process.ProcessControl;
import io.ferry.admin.requests.Leases;
import io.ferry.admin.requests.RequestLog;
import io.ferry.admin.requests.RequestStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One cluster the admin API operates, and how it reaches it.
 *
 * @param store the cluster's own {@code ferry} keyspace: its background services' state
 * @param leases the leases of its background services and replica locks, in its own keyspace
 * @param requests where the requests (node operations, jobs) on this cluster are recorded: another
 *     cluster's keyspace, so that an operation never depends on the cluster it takes down
 * @param operationLeases the leases of those requests, beside them
 *     <p>Thread-safe.
 */
public record ManagedCluster(
    String id,
    ClusterSession cql,
    NodeAgent agent,
    RequestStore store,
    Leases leases,
    RequestLog requests,
    Leases operationLeases,
    ProcessControl processes,
    AdminSettings.NodeAccess access) {

  /** This cluster's entry of {@code GET /cluster-configs}, without secrets. */
  public Map<String, Object> describe() {
    Map<String, Object> cassandra = new LinkedHashMap<>();
    cassandra.put("seed_hosts", String.join(", ", cql.settings().contactPoints()));
    cassandra.put("port", cql.settings().port());
    cassandra.put("username", cql.settings().hasCredentials() ? cql.settings().username() : null);
    cassandra.put("tls", cql.settings().tls().enabled());
    Map<String, Object> jmxConfig = new LinkedHashMap<>();
    jmxConfig.put("port", access.jmxPort());
    jmxConfig.put("username", access.jmxUsername().isEmpty() ? null : access.jmxUsername());
    Map<String, Object> commands = new LinkedHashMap<>();
    commands.put("start", access.startCommand().isEmpty() ? null : access.startCommand());
    commands.put("stop", access.stopCommand().isEmpty() ? null : access.stopCommand());
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("cassandra", cassandra);
    config.put("jmx", jmxConfig);
    config.put("node_commands", commands);
    return config;
  }

  public void close() {
    agent.close();
    cql.close();
  }

  /** Closes every cluster's connections. */
  public static void closeAll(List<ManagedCluster> clusters) {
    clusters.forEach(ManagedCluster::close);
  }
}
