package io.ferry.admin;

import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.agent.JmxNodeAgent;
import io.ferry.admin.agent.NodeJmx;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.nodesync.NodeSyncService;
import io.ferry.admin.ops.Operations;
import io.ferry.admin.process.NodeProcesses;
import io.ferry.admin.repair.RepairService;
import io.ferry.admin.requests.CqlLeaseTable;
import io.ferry.admin.requests.Leases;
import io.ferry.admin.requests.RequestStore;
import io.ferry.admin.requests.WriteThroughRequests;
import io.ferry.proxy.common.ClusterRole;
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
  private static final Duration WRITE_THROUGH_PERIOD = Duration.ofSeconds(1);

  private final List<ManagedCluster> clusters;
  private final WorkerPool requestPool;
  private final WorkerPool operationPool;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService writer;
  private final List<WriteThroughRequests> writeThrough = new ArrayList<>();
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
    this.scheduler = scheduler("ferry-admin-leases");
    this.writer = scheduler("ferry-admin-request-writer");
    Map<ClusterRole, ClusterSession> sessions = new LinkedHashMap<>();
    Map<ClusterRole, RequestStore> stores = new LinkedHashMap<>();
    for (ClusterRole role : ClusterRole.values()) {
      ClusterSession cql =
          new ClusterSession(
              role.id(),
              role == ClusterRole.ORIGIN ? proxySettings.origin() : proxySettings.target(),
              tls.cluster(role));
      sessions.put(role, cql);
      stores.put(role, new RequestStore(cql, settings.requestHistoryTtl()));
    }
    Map<String, ManagedCluster> byId = new LinkedHashMap<>();
    List<ManagedCluster> all = new ArrayList<>();
    for (ClusterRole role : ClusterRole.values()) {
      String id = role.id();
      AdminSettings.NodeAccess access = settings.access(role);
      ClusterSession cql = sessions.get(role);
      RequestStore store = stores.get(role);
      // The requests on a cluster, and their leases, live in the other cluster's keyspace: an
      // operation that takes this cluster's quorum away (restarting its only node) must still be
      // able to record how it goes, and every instance to read it (see the README).
      ClusterRole other = role == ClusterRole.ORIGIN ? ClusterRole.TARGET : ClusterRole.ORIGIN;
      RequestStore requestStore = stores.get(other);
      WriteThroughRequests requests = new WriteThroughRequests(id, requestStore.log(id));
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
              new Leases(
                  new CqlLeaseTable(store, ""),
                  "cluster " + id,
                  instance,
                  settings.leaseTtl(),
                  System::nanoTime),
              requests,
              new Leases(
                  new CqlLeaseTable(requestStore, id + "/"),
                  "the operations on cluster "
                      + id
                      + " (leases kept in cluster "
                      + other.id()
                      + ")",
                  instance,
                  settings.leaseTtl(),
                  System::nanoTime),
              new NodeProcesses(
                  cql,
                  access.startCommand(),
                  access.stopCommand(),
                  settings.nodeReadyTimeout(),
                  settings.nodeStopTimeout()),
              access);
      writeThrough.add(requests);
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
    // Its own thread: writing to a store that does not answer must not delay lease renewals.
    writer.scheduleWithFixedDelay(
        () -> writeThrough.forEach(requests -> guard("request write-through", requests::flush)),
        WRITE_THROUGH_PERIOD.toMillis(),
        WRITE_THROUGH_PERIOD.toMillis(),
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

  private static ScheduledExecutorService scheduler(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(
        runnable -> {
          Thread thread = new Thread(runnable, threadName);
          thread.setDaemon(true);
          return thread;
        });
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
    writer.shutdownNow();
    writeThrough.forEach(WriteThroughRequests::flush);
    requestPool.close();
    operationPool.close();
    ManagedCluster.closeAll(clusters);
  }
}
