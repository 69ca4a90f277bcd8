package io.ferry.admin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.ferry.admin.errors.AdminException;
import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.errors.LimitExceededException;
import io.ferry.admin.errors.NotFoundException;
import io.ferry.admin.errors.NotSupportedException;
import io.ferry.admin.errors.OperationFailedException;
import io.ferry.admin.errors.RefusedException;
import io.ferry.admin.errors.UnavailableException;
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
    if (failure instanceof AdminException refused) {
      return toResponse(request, refused);
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

  private static HttpResponse toResponse(HttpRequest request, AdminException failure) {
    String message = failure.getMessage();
    if (failure instanceof InvalidArgumentsException) {
      return error(400, "InvalidArguments", message);
    }
    if (failure instanceof LimitExceededException) {
      // OpsCenter's limits answer with the brief "error".
      HttpResponse response = error(400, "InvalidArguments", message);
      body(response).put("brief", "error");
      return response;
    }
    if (failure instanceof NotFoundException) {
      return error(404, "NotFound", message);
    }
    if (failure instanceof ConflictException) {
      return error(409, "Conflict", message);
    }
    if (failure instanceof RefusedException) {
      LOG.warn(
          "{} {} from {} refused: {}", request.method(), request.path(), request.caller(), message);
      return error(403, "Forbidden", message);
    }
    if (failure instanceof NotSupportedException) {
      return error(501, "NotSupported", message);
    }
    if (failure instanceof UnavailableException) {
      LOG.debug("{} {}: {}", request.method(), request.path(), message);
      return error(503, "Unavailable", message);
    }
    if (failure instanceof OperationFailedException) {
      // The operation's own log line (Operations) already told the operators.
      return error(500, "OperationFailed", message);
    }
    LOG.error("{} {} failed", request.method(), request.path(), failure);
    return error(500, "InternalError", message);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(HttpResponse response) {
    return (Map<String, Object>) response.body();
  }

  public static HttpResponse error(int status, String type, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("brief", HttpResponseStatus.valueOf(status).reasonPhrase());
    body.put("message", message);
    body.put("type", type);
    return new HttpResponse(status, body);
  }
}
