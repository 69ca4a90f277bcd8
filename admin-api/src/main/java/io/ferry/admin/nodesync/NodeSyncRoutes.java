package io.ferry.admin.nodesync;

import io.ferry.admin.http.HttpRequest;
import io.ferry.admin.http.HttpResponse;
import io.ferry.admin.http.Route;
import io.ferry.admin.ops.OperationArguments;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * OpsCenter's NodeSync endpoints: {@code POST|GET /{cluster_id}/nodesync} and {@code GET
 * /{cluster_id}/nodesync/summary[/keyspace|/table[/{keyspace}]]} ({@code page}, {@code per_page}).
 * Handlers run on the admin worker pool.
 */
public final class NodeSyncRoutes {

  private NodeSyncRoutes() {}

  /**
   * @param services the NodeSync service of a cluster id (404 for an unknown one)
   */
  public static List<Route> routes(Function<String, NodeSyncService> services, Executor workers) {
    String base = "/{cluster_id}/nodesync";
    return List.of(
        Route.post(
                base,
                request ->
                    HttpResponse.ok(
                        service(services, request).update(OperationArguments.body(request.body()))))
            .blocking(workers),
        Route.get(base, request -> HttpResponse.ok(service(services, request).status()))
            .blocking(workers),
        Route.get(
                base + "/summary", request -> HttpResponse.ok(service(services, request).summary()))
            .blocking(workers),
        Route.get(
                base + "/summary/keyspace",
                request ->
                    HttpResponse.ok(
                        service(services, request)
                            .keyspaceSummaries(request.query("page"), request.query("per_page"))))
            .blocking(workers),
        Route.get(
                base + "/summary/table",
                request ->
                    HttpResponse.ok(
                        service(services, request)
                            .tableSummaries(
                                null, request.query("page"), request.query("per_page"))))
            .blocking(workers),
        Route.get(
                base + "/summary/table/{keyspace}",
                request ->
                    HttpResponse.ok(
                        service(services, request)
                            .tableSummaries(
                                request.pathParameters().get("keyspace"),
                                request.query("page"),
                                request.query("per_page"))))
            .blocking(workers));
  }

  private static NodeSyncService service(
      Function<String, NodeSyncService> services, HttpRequest request) {
    return services.apply(request.pathParameters().get("cluster_id"));
  }
}
