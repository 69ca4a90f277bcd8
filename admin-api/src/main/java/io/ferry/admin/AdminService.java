package io.ferry.admin;

import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.agent.JmxNodeAgent;
import io.ferry.admin.agent.NodeJmx;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.nodesync.NodeSyncService;
import io.ferry.admin.ops.Operations;
import io.ferry.admin.process.NodeProcesses;
import io.ferry.admin.repair.RepairService;
import io.ferry.admin.requests.Leases;
import io.ferry.admin.requests.RequestStore;
import io.ferry.proxy.cluster.ClusterRole;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.tls.TlsContexts;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-operations part of the admin API: the managed clusters (origin and target), the
 * worker pool its handlers and operations run on, and the periodic lease renewal and job take-over.
 * Connects to the clusters on first use, so that Ferry starts while a cluster is down.
 *
 * <p>Thread-safe.
 */
public final class AdminService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
  private static final Duration JMX_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final List<ManagedCluster> clusters;
  private final WorkerPool requestPool;
  private final WorkerPool operationPool;
  private final ScheduledExecutorService scheduler;
  private final Operations operations;
  private final Map<String, RepairService> repairServices = new LinkedHashMap<>();
  private final Map<String, NodeSyncService> nodeSyncServices = new LinkedHashMap<>();

  public AdminService(ProxySettings proxySettings, AdminSettings settings) {
    String instance = instanceName(settings);
    TlsContexts tls = TlsContexts.load(proxySettings);
    this.requestPool =
        new WorkerPool(
            "admin-request", settings.requestThreads(), AdminOption.REQUEST_THREADS.path());
    this.operationPool =
        new WorkerPool(
            "admin-operation", settings.operationThreads(), AdminOption.OPERATION_THREADS.path());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "ferry-admin-leases");
              thread.setDaemon(true);
              return thread;
            });
    Map<String, ManagedCluster> byId = new LinkedHashMap<>();
    List<ManagedCluster> all = new ArrayList<>();
    for (ClusterRole role : ClusterRole.values()) {
      String id = role.id();
      AdminSettings.NodeAccess access = settings.access(role);
      ClusterSession cql =
          new ClusterSession(
              id,
              role == ClusterRole.ORIGIN ? proxySettings.origin() : proxySettings.target(),
              tls.cluster(role));
      RequestStore store = new RequestStore(cql, settings.requestHistoryTtl());
      ManagedCluster cluster =
          new ManagedCluster(
              id,
              cql,
              new JmxNodeAgent(
                  new NodeJmx(
                      access.jmxPort(),
                      access.jmxUsername(),
                      access.jmxPassword(),
                      JMX_CONNECT_TIMEOUT)),
              store,
              new Leases(store, instance, settings.leaseTtl()),
              new NodeProcesses(
                  cql,
                  access.startCommand(),
                  access.stopCommand(),
                  settings.nodeReadyTimeout(),
                  settings.nodeStopTimeout()),
              access);
      byId.put(id, cluster);
      all.add(cluster);
    }
    this.clusters = List.copyOf(all);
    this.operations = new Operations(byId, operationPool, settings.operationWait());
    long ttlMillis = settings.leaseTtl().toMillis();
    scheduler.scheduleWithFixedDelay(
        () -> guard("lease renewal", operations::renewLeases),
        ttlMillis / 3,
        ttlMillis / 3,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        () -> guard("job take-over", () -> operationPool.execute(operations::takeOver)),
        ttlMillis,
        ttlMillis,
        TimeUnit.MILLISECONDS);
    Duration idle =
        Duration.ofMillis(Math.max(1000, Math.min(10_000, settings.leaseTtl().toMillis() / 3)));
    for (ManagedCluster cluster : clusters) {
      NodeSyncService nodeSync = new NodeSyncService(cluster, settings.nodeSync(), idle);
      RepairService repair =
          new RepairService(cluster, settings.repair(), idle, nodeSync::enabledTables);
      nodeSyncServices.put(cluster.id(), nodeSync);
      repairServices.put(cluster.id(), repair);
      nodeSync.start();
      repair.start();
    }
    LOG.info("Admin API instance {} manages clusters {}", instance, byId.keySet());
  }

  private static void guard(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.warn("{} failed: {}", what, e.toString());
    }
  }

  public Operations operations() {
    return operations;
  }

  /** Where the admin API's handlers that block run. */
  WorkerPool requestPool() {
    return requestPool;
  }

  /**
   * The repair service of a cluster id.
   *
   * @throws io.ferry.admin.errors.NotFoundException for a cluster Ferry does not manage
   */
  RepairService repairService(String clusterId) {
    return repairServices.get(operations.cluster(clusterId).id());
  }

  /**
   * The NodeSync service of a cluster id.
   *
   * @throws io.ferry.admin.errors.NotFoundException for a cluster Ferry does not manage
   */
  NodeSyncService nodeSyncService(String clusterId) {
    return nodeSyncServices.get(operations.cluster(clusterId).id());
  }

  /** How leases name this instance: where its admin API listens, its host, pid and a nonce. */
  private static String instanceName(AdminSettings settings) {
    return settings.adminAddress()
        + ":"
        + settings.adminPort()
        + "/"
        + ManagementFactory.getRuntimeMXBean().getName()
        + "/"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Stops scheduling and closes the clusters' connections. Jobs still running stop with the
   * process; their leases expire and another instance resumes them.
   */
  @Override
  public void close() {
    repairServices.values().forEach(RepairService::close);
    nodeSyncServices.values().forEach(NodeSyncService::close);
    scheduler.shutdownNow();
    requestPool.close();
    operationPool.close();
    ManagedCluster.closeAll(clusters);
  }
}
