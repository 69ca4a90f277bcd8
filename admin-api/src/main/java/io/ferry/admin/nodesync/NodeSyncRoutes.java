package io.ferry.admin.nodesync;

import io.ferry.admin.http.HttpRequest;
import io.ferry.admin.http.HttpResponse;
import io.ferry.admin.ops.OperationArguments;
import java.util.function.Function;

/**
 * OpsCenter's NodeSync endpoints: {@code POST|GET /{cluster_id}/nodesync} and {@code GET
 * /{cluster_id}/nodesync/summary[/keyspace|/table[/{keyspace}]]} ({@code page}, {@code per_page}).
 * Every handler blocks (CQL).
 */
public final class NodeSyncRoutes {

  private final Function<String, NodeSyncService> services;

  /**
   * @param services the NodeSync service of a cluster id (404 for an unknown one)
   */
  public NodeSyncRoutes(Function<String, NodeSyncService> services) {
    this.services = services;
  }

  /** {@code POST /{cluster_id}/nodesync}. */
  public HttpResponse update(HttpRequest request) throws java.io.IOException {
    return HttpResponse.ok(service(request).update(OperationArguments.body(request.body())));
  }

  /** {@code GET /{cluster_id}/nodesync}. */
  public HttpResponse status(HttpRequest request) {
    return HttpResponse.ok(service(request).status());
  }

  /** {@code GET /{cluster_id}/nodesync/summary}. */
  public HttpResponse summary(HttpRequest request) {
    return HttpResponse.ok(service(request).summary());
  }

  /** {@code GET /{cluster_id}/nodesync/summary/keyspace}. */
  public HttpResponse keyspaceSummaries(HttpRequest request) {
    return HttpResponse.ok(
        service(request).keyspaceSummaries(request.query("page"), request.query("per_page")));
  }

  /** {@code GET /{cluster_id}/nodesync/summary/table[/{keyspace}]}. */
  public HttpResponse tableSummaries(HttpRequest request) {
    return HttpResponse.ok(
        service(request)
            .tableSummaries(
                request.pathParameters().get("keyspace"),
                request.query("page"),
                request.query("per_page")));
  }

  private NodeSyncService service(HttpRequest request) {
    return services.apply(request.pathParameters().get("cluster_id"));
  }
}
