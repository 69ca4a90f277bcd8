package io.ferry.admin.http;

/**
 * A request that cannot be served, with the status it maps to and an OpsCenter error {@code type}
 * (e.g. {@code InvalidArguments}, {@code NotFound}).
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String type;

  public ApiException(int status, String type, String message) {
    super(message);
    this.status = status;
    this.type = type;
  }

  public static ApiException invalidArguments(String message) {
    return new ApiException(400, "InvalidArguments", message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "NotFound", message);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }
}
