package io.ferry.admin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.CharConversionException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP statuses and error bodies. Bodies have OpsCenter's
 * shape: {@code {"brief": <reason phrase>, "message": <what was wrong>, "type": <error type>}}.
 */
public final class ErrorMapping {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

  private ErrorMapping() {}

  public static HttpResponse toResponse(HttpRequest request, Throwable failure) {
    if (failure instanceof ApiException api) {
      HttpResponse response = error(api.status(), api.type(), api.getMessage());
      if (api.brief() != null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) response.body();
        body.put("brief", api.brief());
      }
      return response;
    }
    if (failure instanceof JsonProcessingException json) {
      return error(400, "InvalidArguments", "malformed JSON body: " + json.getOriginalMessage());
    }
    if (failure instanceof CharConversionException encoding) {
      // How Jackson reports a body that starts like UTF-32 or UTF-16 text and is not.
      return error(400, "InvalidArguments", "malformed JSON body: " + encoding.getMessage());
    }
    if (failure instanceof com.datastax.oss.driver.api.core.AllNodesFailedException
        || failure instanceof com.datastax.oss.driver.api.core.DriverTimeoutException
        || failure
            instanceof com.datastax.oss.driver.api.core.servererrors.QueryExecutionException) {
      LOG.warn(
          "{} {}: the cluster did not answer: {}",
          request.method(),
          request.path(),
          failure.getMessage());
      return error(503, "Unavailable", "the cluster did not answer: " + failure.getMessage());
    }
    if (failure instanceof IllegalArgumentException invalid) {
      return error(400, "InvalidArguments", invalid.getMessage());
    }
    LOG.error("{} {} failed", request.method(), request.path(), failure);
    return error(500, "InternalError", String.valueOf(failure.getMessage()));
  }

  public static HttpResponse error(int status, String type, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("brief", HttpResponseStatus.valueOf(status).reasonPhrase());
    body.put("message", message);
    body.put("type", type);
    return new HttpResponse(status, body);
  }
}
