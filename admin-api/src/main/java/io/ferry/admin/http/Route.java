package io.ferry.admin.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A method and path pattern ({@code /{cluster_id}/ops/gc/{ip}}) served by a handler.
 *
 * @param executor where the handler runs: {@code null} for the server's event loop (the handler
 *     must not block), else a worker pool (for handlers that call nodes or wait)
 *     <p>Thread-safe (immutable).
 */
public record Route(String method, String pattern, Handler handler, Executor executor) {

  public Route(String method, String pattern, Handler handler) {
    this(method, pattern, handler, null);
  }

  /** Serves one request, on the event loop or on the route's executor. */
  @FunctionalInterface
  public interface Handler {
    HttpResponse handle(HttpRequest request) throws Exception;
  }

  /** This route with its handler run on {@code executor}, for handlers that block. */
  public Route blocking(Executor executor) {
    return new Route(method, pattern, handler, executor);
  }

  public static Route delete(String pattern, Handler handler) {
    return new Route("DELETE", pattern, handler);
  }

  public static Route get(String pattern, Handler handler) {
    return new Route("GET", pattern, handler);
  }

  public static Route put(String pattern, Handler handler) {
    return new Route("PUT", pattern, handler);
  }

  public static Route post(String pattern, Handler handler) {
    return new Route("POST", pattern, handler);
  }

  /** The path parameters if {@code path} matches the pattern, else {@code null}. */
  Map<String, String> match(String path) {
    List<String> expected = segments(pattern);
    List<String> actual = segments(path);
    if (expected.size() != actual.size()) {
      return null;
    }
    Map<String, String> parameters = new HashMap<>();
    for (int i = 0; i < expected.size(); i++) {
      String segment = expected.get(i);
      if (segment.startsWith("{") && segment.endsWith("}")) {
        parameters.put(segment.substring(1, segment.length() - 1), actual.get(i));
      } else if (!segment.equals(actual.get(i))) {
        return null;
      }
    }
    return parameters;
  }

  private static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return segments;
  }
}
