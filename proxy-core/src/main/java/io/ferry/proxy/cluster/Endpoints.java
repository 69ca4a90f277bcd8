package io.ferry.proxy.cluster;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How Ferry writes a network endpoint in logs, errors and metric labels: {@code 10.0.0.1:9042}. */
public final class Endpoints {

  private Endpoints() {}

  /** {@code ip:port}, or {@code ?} when unknown. */
  public static String format(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress() + ":" + inet.getPort();
    }
    return address == null ? "?" : address.toString();
  }
}
