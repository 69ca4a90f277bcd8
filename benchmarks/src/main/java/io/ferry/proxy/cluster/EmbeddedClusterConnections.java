package io.ferry.proxy.cluster;

import io.ferry.proxy.frame.FrameDecoder;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.netty.channel.Channel;

/**
 * Cluster connections over channels the benchmarks supply (embedded ones): the pipeline {@link
 * ClusterConnector} builds on a socket, without the socket. Used by the JMH pipeline benchmarks.
 */
public final class EmbeddedClusterConnections {

  private EmbeddedClusterConnections() {}

  /** A connection whose handshake is done, in the pipeline of {@code channel}. */
  public static ClusterConnection open(
      ClusterRole role,
      Channel channel,
      int maxStreamIds,
      int maxFrameLength,
      int protocolVersion,
      ProxyMetrics metrics) {
    ClusterConnection connection =
        new ClusterConnection(
            role,
            channel,
            "[" + role + "]",
            maxStreamIds,
            1024,
            protocolVersion,
            maxFrameLength,
            metrics.node(role, channel.remoteAddress().toString()));
    channel
        .pipeline()
        .addLast(ClusterConnector.FRAME_DECODER, new FrameDecoder(maxFrameLength, true))
        .addLast(ClusterConnector.CLUSTER, connection);
    return connection;
  }
}
