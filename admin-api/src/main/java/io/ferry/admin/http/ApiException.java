package io.ferry.admin.http;

/**
 * A request that cannot be served, with the status it maps to and an OpsCenter error {@code type}
 * (e.g. {@code InvalidArguments}, {@code NotFound}).
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String type;
  private final String brief;

  public ApiException(int status, String type, String message) {
    this(status, type, message, null);
  }

  /**
   * @param brief the error body's {@code brief}, where OpsCenter documents one (e.g. {@code
   *     error}); {@code null} for the status's reason phrase
   */
  public ApiException(int status, String type, String message, String brief) {
    super(message);
    this.status = status;
    this.type = type;
    this.brief = brief;
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

  /** The error body's {@code brief}, or {@code null} for the status's reason phrase. */
  public String brief() {
    return brief;
  }
}
