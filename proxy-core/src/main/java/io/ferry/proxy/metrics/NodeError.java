package io.ferry.proxy.metrics;

import com.datastax.oss.protocol.internal.ProtocolConstants.ErrorCode;

/** The {@code error} label of {@code *_requests_failed_total}. */
public enum NodeError {
  CLIENT_TIMEOUT("client_timeout"),
  READ_TIMEOUT("read_timeout"),
  READ_FAILURE("read_failure"),
  WRITE_TIMEOUT("write_timeout"),
  WRITE_FAILURE("write_failure"),
  OVERLOADED("overloaded"),
  UNAVAILABLE("unavailable"),
  UNPREPARED("unprepared"),
  OTHER("other");

  private final String label;

  NodeError(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The label for a CQL error code. */
  public static NodeError of(int errorCode) {
    return switch (errorCode) {
      case ErrorCode.READ_TIMEOUT -> READ_TIMEOUT;
      case ErrorCode.READ_FAILURE -> READ_FAILURE;
      case ErrorCode.WRITE_TIMEOUT -> WRITE_TIMEOUT;
      case ErrorCode.WRITE_FAILURE -> WRITE_FAILURE;
      case ErrorCode.OVERLOADED -> OVERLOADED;
      case ErrorCode.UNAVAILABLE -> UNAVAILABLE;
      case ErrorCode.UNPREPARED -> UNPREPARED;
      default -> OTHER;
    };
  }
}
