package io.ferry.admin.process;

/**
 * Starting and stopping the database process of a cluster's nodes ({@link NodeProcesses} runs the
 * configured commands).
 *
 * <p>Thread policy: blocking; worker pool.
 */
public interface ProcessControl {

  /**
   * Checks, before anything runs, that the commands an action needs are configured.
   *
   * @throws io.ferry.admin.errors.InvalidArgumentsException naming the missing setting
   */
  void requireCommands(boolean start, boolean stop);

  /** Stops the node's process and waits until its CQL port is closed. */
  void stop(String ip) throws Exception;

  /** Starts the node's process; with {@code waitForCql}, waits until the node answers CQL. */
  void start(String ip, boolean waitForCql) throws Exception;
}
