package io.ferry.proxy.dualreads;

import com.datastax.oss.protocol.internal.response.result.RowsMetadata;
import io.ferry.proxy.auth.SaslAuthenticator;
import io.ferry.proxy.cluster.ClusterConnector;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One client connection's mirrored reads: sends a read to the secondary cluster besides the
 * primary, over a {@link MirrorConnection} opened on the first read and reopened to the other
 * cluster when the primary is switched.
 *
 * <p>Thread policy: used on the client connection's event loop only.
 */
public final class ReadMirroring {

  private final DualReads dualReads;
  private final MessageCodec codec;
  private final Function<ClusterRole, ClusterConnector> connectors;
  private final EventLoop eventLoop;
  private final String label;
  private final int protocolVersion;
  private final Map<String, String> startupOptions;
  private final Function<ClusterRole, Function<String, SaslAuthenticator>> credentials;
  private final long timeoutNanos;
  private MirrorConnection mirror;

  /**
   * @param credentials how the mirror authenticates to a cluster, given the authenticator its node
   *     names
   */
  public ReadMirroring(
      DualReads dualReads,
      MessageCodec codec,
      Function<ClusterRole, ClusterConnector> connectors,
      EventLoop eventLoop,
      String label,
      int protocolVersion,
      Map<String, String> startupOptions,
      Function<ClusterRole, Function<String, SaslAuthenticator>> credentials,
      long timeoutNanos) {
    this.dualReads = dualReads;
    this.codec = codec;
    this.connectors = connectors;
    this.eventLoop = eventLoop;
    this.label = label;
    this.protocolVersion = protocolVersion;
    this.startupOptions = startupOptions;
    this.credentials = credentials;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Mirrors a read to the cluster that is not {@code primary}, if its connection can take it now.
   *
   * @param secondaryNode the node the client connection's own connection to the secondary uses,
   *     which knows its prepared statements
   * @param tableKeyspace the table's keyspace, if known
   * @param table the table read, if known
   * @param ordered whether the query fixes the order of rows
   * @param metadata the result columns known from the prepared statement, or null
   * @param requiredKeyspace the keyspace unqualified table names resolve in, or null
   * @param frameForStreamId the frame to send, given its stream id; called only when it is sent
   * @return the read, to give the primary's answer to; null when it was not mirrored (counted)
   */
  public MirroredRead mirror(
      ClusterRole primary,
      InetSocketAddress secondaryNode,
      String tableKeyspace,
      String table,
      boolean ordered,
      RowsMetadata metadata,
      String requiredKeyspace,
      IntFunction<ByteBuf> frameForStreamId) {
    ClusterRole secondary = primary.other();
    if (mirror != null && mirror.cluster() != secondary) {
      mirror.close();
      mirror = null;
    }
    if (mirror == null) {
      mirror =
          new MirrorConnection(
              dualReads,
              codec,
              connectors.apply(secondary),
              eventLoop,
              label,
              protocolVersion,
              startupOptions,
              credentials.apply(secondary),
              timeoutNanos);
    }
    MirroredRead read =
        new MirroredRead(
            dualReads, tableKeyspace, table, ordered, metadata, primary, System.nanoTime());
    return mirror.mirror(read, requiredKeyspace, secondaryNode, frameForStreamId) ? read : null;
  }

  /** Sends what was mirrored since the last flush. */
  public void flush() {
    if (mirror != null) {
      mirror.flush();
    }
  }

  /** Ends mirrored reads the secondary has not answered in time. */
  public void expire(long nowNanos) {
    if (mirror != null) {
      mirror.expire(nowNanos);
    }
  }

  /** Closes the mirror connection; reads still waiting end without a comparison. */
  public void close() {
    if (mirror != null) {
      mirror.close();
    }
  }
}
