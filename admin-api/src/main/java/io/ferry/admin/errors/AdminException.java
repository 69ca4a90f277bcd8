package io.ferry.admin.errors;

/**
 * A request that cannot be served, for a reason the caller can act on. Domain code throws the
 * subclass that says why; it never picks an HTTP status.
 */
public abstract sealed class AdminException extends RuntimeException
    permits InvalidArgumentsException,
        NotFoundException,
        ConflictException,
        UnavailableException,
        NotSupportedException,
        LimitExceededException,
        OperationFailedException,
        RefusedException {

  protected AdminException(String message, Throwable cause) {
    super(message, cause);
  }
}
