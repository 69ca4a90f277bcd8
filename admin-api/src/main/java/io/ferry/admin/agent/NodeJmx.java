package io.ferry.admin.agent;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote JMX connections to the nodes of one cluster, one per node, opened on first use with a
 * connect timeout and dropped when they break (the next call reconnects).
 *
 * <p>Thread policy: every method blocks (RMI); call it from a worker pool, never an event loop.
 * Thread-safe.
 */
public final class NodeJmx implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeJmx.class);
  static final ObjectName STORAGE_SERVICE = objectName(StorageServiceOperations.OBJECT_NAME);
  static final ObjectName MEMORY = objectName(ManagementFactory.MEMORY_MXBEAN_NAME);
  static final ObjectName PENDING_COMPACTIONS =
      objectName("org.apache.cassandra.metrics:type=Compaction,name=PendingTasks");
  static final ObjectName ENDPOINT_SNITCH_INFO =
      objectName(EndpointSnitchInfoOperations.OBJECT_NAME);

  private final int port;
  private final String username;
  private final String password;
  private final Duration connectTimeout;
  private final Map<String, JMXConnector> connectors = new ConcurrentHashMap<>();
  private final ExecutorService connecting =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "ferry-admin-jmx-connect");
            thread.setDaemon(true);
            return thread;
          });

  public NodeJmx(int port, String username, String password, Duration connectTimeout) {
    this.port = port;
    this.username = username;
    this.password = password;
    this.connectTimeout = connectTimeout;
  }

  /** A call made through a typed proxy of one of a node's MBeans. */
  @FunctionalInterface
  public interface MBeanCall<M, T> {
    T call(M mbean) throws Exception;
  }

  /**
   * Runs {@code call} against the StorageService of the node at {@code address}.
   *
   * @throws NodeUnreachableException if the node's JMX endpoint cannot be reached or the connection
   *     breaks during the call
   * @throws Exception what the MBean operation threw
   */
  public <T> T storage(String address, MBeanCall<StorageServiceOperations, T> call)
      throws Exception {
    return call(address, STORAGE_SERVICE, StorageServiceOperations.class, call);
  }

  /**
   * Runs {@code call} against a typed proxy of the MBean {@code name} of the node at {@code
   * address} (an MXBean proxy for the JVM's platform MXBeans, whose interfaces end in MXBean).
   *
   * @throws NodeUnreachableException if the node's JMX endpoint cannot be reached or the connection
   *     breaks during the call
   * @throws Exception what the MBean operation threw
   */
  <M, T> T call(String address, ObjectName name, Class<M> type, MBeanCall<M, T> call)
      throws Exception {
    MBeanServerConnection connection = connection(address);
    M mbean =
        JMX.isMXBeanInterface(type)
            ? JMX.newMXBeanProxy(connection, name, type)
            : JMX.newMBeanProxy(connection, name, type);
    try {
      return call.call(mbean);
    } catch (UndeclaredThrowableException e) {
      throw unwrap(address, e.getUndeclaredThrowable());
    } catch (IOException e) {
      if (isConnectionFailure(e)) {
        throw lost(address, e);
      }
      throw e;
    }
  }

  /** The node's MBean server connection, opened if needed. */
  public MBeanServerConnection connection(String address) {
    JMXConnector connector = connectors.get(address);
    if (connector != null) {
      try {
        return connector.getMBeanServerConnection();
      } catch (IOException e) {
        forget(address, connector);
      }
    }
    connector = connect(address);
    JMXConnector previous = connectors.putIfAbsent(address, connector);
    if (previous != null) {
      closeQuietly(connector);
      connector = previous;
    }
    try {
      return connector.getMBeanServerConnection();
    } catch (IOException e) {
      forget(address, connector);
      throw unreachable(address, e);
    }
  }

  private JMXConnector connect(String address) {
    JMXServiceURL url;
    try {
      url = new JMXServiceURL(serviceUrl(address));
    } catch (IOException e) {
      throw new IllegalArgumentException("not a node address: " + address, e);
    }
    Map<String, Object> environment = new HashMap<>();
    if (!username.isEmpty()) {
      environment.put(JMXConnector.CREDENTIALS, new String[] {username, password});
    }
    // JMXConnectorFactory.connect has no timeout of its own: a node whose port silently drops
    // packets would hold the caller for minutes.
    Future<JMXConnector> attempt =
        connecting.submit(() -> JMXConnectorFactory.connect(url, environment));
    try {
      JMXConnector connector = attempt.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      connector.addConnectionNotificationListener(
          (notification, handback) -> {
            String type = notification.getType();
            if (type.equals(JMXConnectionNotification.CLOSED)
                || type.equals(JMXConnectionNotification.FAILED)) {
              forget(address, connector);
            }
          },
          null,
          null);
      LOG.debug("JMX connection to {} opened", url);
      return connector;
    } catch (TimeoutException e) {
      attempt.cancel(true);
      throw new NodeUnreachableException(
          "JMX of node "
              + address
              + ":"
              + port
              + " did not answer within "
              + connectTimeout.toSeconds()
              + " s",
          e);
    } catch (ExecutionException e) {
      throw unreachable(address, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeUnreachableException("interrupted while connecting to " + address, e);
    }
  }

  public String serviceUrl(String address) {
    String host = address.contains(":") ? "[" + address + "]" : address;
    return "service:jmx:rmi:///jndi/rmi://" + host + ":" + port + "/jmxrmi";
  }

  private Exception unwrap(String address, Throwable cause) {
    if (cause instanceof IOException io && isConnectionFailure(io)) {
      return lost(address, io);
    }
    return cause instanceof Exception exception ? exception : new RuntimeException(cause);
  }

  private static boolean isConnectionFailure(IOException e) {
    // An operation's own IOException (e.g. move's "target token already in use") arrives as it was
    // thrown; RMI reports a broken connection with its own exception types.
    return e instanceof java.rmi.RemoteException || e.getClass().getName().startsWith("java.net.");
  }

  private NodeUnreachableException lost(String address, IOException e) {
    JMXConnector connector = connectors.get(address);
    if (connector != null) {
      forget(address, connector);
    }
    return unreachable(address, e);
  }

  private NodeUnreachableException unreachable(String address, Throwable cause) {
    return new NodeUnreachableException(
        "cannot reach JMX of node " + address + ":" + port + ": " + rootMessage(cause), cause);
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  private void forget(String address, JMXConnector connector) {
    if (connectors.remove(address, connector)) {
      closeQuietly(connector);
    }
  }

  private static void closeQuietly(JMXConnector connector) {
    try {
      connector.close();
    } catch (IOException | RuntimeException e) {
      LOG.trace("closing a JMX connection failed", e);
    }
  }

  @Override
  public void close() {
    connectors.forEach(this::forget);
    connecting.shutdownNow();
  }

  private static ObjectName objectName(String name) {
    try {
      return new ObjectName(name);
    } catch (MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
  }
}
