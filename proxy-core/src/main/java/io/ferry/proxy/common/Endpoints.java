package io.ferry.proxy.common;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * How Ferry writes a network endpoint in logs, errors and metric labels ({@code 10.0.0.1:9042}),
 * and whether one accepts connections.
 */
public final class Endpoints {

  private Endpoints() {}

  /** {@code ip:port}, or {@code ?} when unknown. */
  public static String format(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress() + ":" + inet.getPort();
    }
    return address == null ? "?" : address.toString();
  }

  /**
   * Whether {@code endpoint} accepts a TCP connection within {@code timeoutMillis}. Blocks: never
   * on an event loop.
   */
  public static boolean accepts(InetSocketAddress endpoint, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(endpoint, timeoutMillis);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
