package io.ferry.proxy.cluster;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;

/**
 * A node of a cluster as its control connection sees it, with the system-table row it came from (so
 * that topology virtualization can copy its columns).
 */
public record Host(
    InetSocketAddress endpoint,
    String datacenter,
    String rack,
    UUID hostId,
    String releaseVersion,
    String schemaVersion,
    Map<String, ByteBuffer> row) {

  @Override
  public String toString() {
    return endpoint.getAddress().getHostAddress()
        + ":"
        + endpoint.getPort()
        + " ("
        + datacenter
        + ")";
  }
}
