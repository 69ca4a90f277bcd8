package io.ferry.admin.testing;

import io.ferry.admin.AdminSettings;
import io.ferry.admin.agent.NodeAgent;
import io.ferry.admin.cluster.ManagedCluster;
import io.ferry.admin.process.ProcessControl;
import io.ferry.admin.requests.Leases;
import io.ferry.admin.requests.RequestLog;
import java.time.Duration;

/** Managed clusters made of test doubles: no session, no store of its own. */
public final class TestClusters {

  private TestClusters() {}

  /** The leases of one instance over {@code table}, on the table's clock. */
  public static Leases leases(InMemoryLeaseTable table, String instance, Duration ttl) {
    return new Leases(table, "cluster test", instance, ttl, table::nanoTime);
  }

  /**
   * A cluster of {@code agent}'s nodes whose leases (of the instance {@code ferry-a}) are taken in
   * {@code leaseTable}: for its background services.
   */
  public static ManagedCluster cluster(FakeNodeAgent agent, InMemoryLeaseTable leaseTable) {
    return cluster(
        "origin",
        agent,
        new FakeProcesses(),
        new InMemoryRequestLog(),
        leases(leaseTable, "ferry-a", Duration.ofSeconds(30)));
  }

  /**
   * A cluster whose node operations go to {@code agent} and {@code processes}, recorded in {@code
   * requests} under {@code operationLeases}.
   */
  public static ManagedCluster cluster(
      String id,
      NodeAgent agent,
      ProcessControl processes,
      RequestLog requests,
      Leases operationLeases) {
    return new ManagedCluster(
        id,
        null,
        agent,
        null,
        operationLeases,
        requests,
        operationLeases,
        processes,
        new AdminSettings.NodeAccess(7199, "", "", "", ""));
  }
}
