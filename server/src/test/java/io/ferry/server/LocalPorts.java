package io.ferry.server;

import io.ferry.testing.cassandra.CassandraClusters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

/** Free loopback ports for a Ferry under test, and the environment that points it at them. */
record LocalPorts(int cql, int metrics, int admin) {

  static LocalPorts allocate() {
    return new LocalPorts(freePort(), freePort(), freePort());
  }

  /** ZDM_* variables for a Ferry on these ports in front of the shared test clusters. */
  Map<String, String> environment() {
    return Map.of(
        "ZDM_ORIGIN_CONTACT_POINTS",
        CassandraClusters.ORIGIN_ADDRESS,
        "ZDM_TARGET_CONTACT_POINTS",
        CassandraClusters.TARGET_ADDRESS,
        "ZDM_PROXY_LISTEN_ADDRESS",
        "127.0.0.1",
        "ZDM_PROXY_LISTEN_PORT",
        Integer.toString(cql),
        "ZDM_METRICS_ADDRESS",
        "127.0.0.1",
        "ZDM_METRICS_PORT",
        Integer.toString(metrics),
        "FERRY_ADMIN_ADDRESS",
        "127.0.0.1",
        "FERRY_ADMIN_PORT",
        Integer.toString(admin));
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
