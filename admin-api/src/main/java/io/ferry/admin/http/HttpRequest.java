package io.ferry.admin.http;

import java.util.List;
import java.util.Map;

/**
 * A request as a route handler sees it.
 *
 * @param pathParameters values of the route's {@code {name}} segments
 * @param queryParameters decoded query string
 * @param body the request body (empty when there is none)
 * @param caller who sent it, for the audit log: the client's address, and whether it presented the
 *     admin token
 */
public record HttpRequest(
    String method,
    String path,
    Map<String, String> pathParameters,
    Map<String, List<String>> queryParameters,
    byte[] body,
    String caller) {

  /** The first value of a query parameter, or {@code null}. */
  public String query(String name) {
    List<String> values = queryParameters.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The request with the route's path parameters. */
  HttpRequest withPathParameters(Map<String, String> parameters) {
    return new HttpRequest(method, path, parameters, queryParameters, body, caller);
  }
}
