package io.ferry.admin;

import io.ferry.admin.http.Route;
import io.ferry.admin.nodesync.NodeSyncRoutes;
import io.ferry.admin.ops.NodeAction;
import io.ferry.admin.ops.OpsRoutes;
import io.ferry.admin.ops.RequestRoutes;
import io.ferry.admin.rebalance.RebalanceRoutes;
import io.ferry.admin.repair.RepairRoutes;
import io.ferry.admin.routing.RoutingRoutes;
import io.ferry.proxy.routing.Router;
import java.util.List;
import java.util.Map;

/**
 * The admin API's route table: every path it serves, mounted here and nowhere else, each with the
 * handler that serves it and where that handler runs (the event loop for the handlers that only
 * read Ferry's memory, the request pool for those that block).
 */
public final class AdminRoutes {

  private static final String OPS = "/{cluster_id}/ops";
  private static final String NODESYNC = "/{cluster_id}/nodesync";

  private AdminRoutes() {}

  public static List<Route> table(Router router, AdminService admin) {
    RoutingRoutes routing = new RoutingRoutes(router);
    RequestRoutes requests = new RequestRoutes(admin.operations());
    OpsRoutes ops = new OpsRoutes(admin.operations());
    RebalanceRoutes rebalance = new RebalanceRoutes(admin.operations());
    RepairRoutes repair = new RepairRoutes(admin::repairService, clusterId -> Map.of());
    NodeSyncRoutes nodeSync = new NodeSyncRoutes(admin::nodeSyncService);
    WorkerPool pool = admin.requestPool();
    return List.of(
        // This instance's routing (memory only).
        Route.get(RoutingRoutes.PATH, routing::state),
        Route.put(RoutingRoutes.PATH, routing::update),
        // Requests and clusters.
        Route.get("/cluster-configs", requests::clusterConfigs).blocking(pool),
        Route.get("/request/{request_id}/status", requests::status).blocking(pool),
        Route.post("/request/{request_id}/cancel", requests::cancel).blocking(pool),
        Route.get("/{cluster_id}/request/{request_type}", requests::list).blocking(pool),
        // Node administration, process management and jobs.
        Route.post(OPS, ops::bulk).blocking(pool),
        Route.post(OPS + "/restart", ops::rollingRestart).blocking(pool),
        Route.get(OPS + "/gc/{node_ip}", ops::gc).blocking(pool),
        Route.get(OPS + "/drain/{node_ip}", ops::drain).blocking(pool),
        Route.post(OPS + "/decommission/{node_ip}", ops::decommission).blocking(pool),
        Route.put(OPS + "/move/{node_ip}", ops::move).blocking(pool),
        keyspaceOperation(ops, NodeAction.CLEANUP, "/{node_ip}", pool),
        keyspaceOperation(ops, NodeAction.CLEANUP, "/{node_ip}/{ks_name}", pool),
        keyspaceOperation(ops, NodeAction.FLUSH, "/{node_ip}", pool),
        keyspaceOperation(ops, NodeAction.FLUSH, "/{node_ip}/{ks_name}", pool),
        keyspaceOperation(ops, NodeAction.COMPACT, "/{node_ip}", pool),
        keyspaceOperation(ops, NodeAction.COMPACT, "/{node_ip}/{ks_name}", pool),
        Route.post(OPS + "/repair/{node_ip}/{ks_name}", ops::repair).blocking(pool),
        processOperation(ops, NodeAction.START, pool),
        processOperation(ops, NodeAction.STOP, pool),
        processOperation(ops, NodeAction.RESTART, pool),
        Route.get(OPS + "/rebalance", rebalance::propose).blocking(pool),
        Route.post(OPS + "/rebalance", rebalance::run).blocking(pool),
        // Cluster services: repair and NodeSync.
        Route.get("/{cluster_id}/services", repair::services).blocking(pool),
        Route.get("/{cluster_id}/services/repair", repair::status).blocking(pool),
        Route.post("/{cluster_id}/services/repair", repair::enable).blocking(pool),
        Route.delete("/{cluster_id}/services/repair", repair::disable).blocking(pool),
        Route.get("/{cluster_id}/repair-status", repair::repairStatus).blocking(pool),
        Route.get("/{cluster_id}/repair-details", repair::repairDetails).blocking(pool),
        Route.post(NODESYNC, nodeSync::update).blocking(pool),
        Route.get(NODESYNC, nodeSync::status).blocking(pool),
        Route.get(NODESYNC + "/summary", nodeSync::summary).blocking(pool),
        Route.get(NODESYNC + "/summary/keyspace", nodeSync::keyspaceSummaries).blocking(pool),
        Route.get(NODESYNC + "/summary/table", nodeSync::tableSummaries).blocking(pool),
        Route.get(NODESYNC + "/summary/table/{keyspace}", nodeSync::tableSummaries).blocking(pool));
  }

  private static Route keyspaceOperation(
      OpsRoutes ops, NodeAction action, String nodeAndKeyspace, WorkerPool pool) {
    return Route.post(
            OPS + "/" + action.wireName() + nodeAndKeyspace, ops.keyspaceOperation(action))
        .blocking(pool);
  }

  private static Route processOperation(OpsRoutes ops, NodeAction action, WorkerPool pool) {
    return Route.post(OPS + "/" + action.wireName() + "/{node_ip}", ops.processOperation(action))
        .blocking(pool);
  }
}
