package io.ferry.cassandra;

/**
 * A Cassandra distribution could not be resolved, or a node could not be started, signalled or
 * stopped. The message says what happened and, for a node that died, ends with its last log lines.
 */
public final class CassandraNodeException extends RuntimeException {

  public CassandraNodeException(String message) {
    super(message);
  }

  public CassandraNodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
