package io.ferry.proxy.session;

import com.datastax.oss.protocol.internal.Message;
import io.ferry.proxy.auth.ClientTokens;
import io.ferry.proxy.auth.PlainTextAuthenticator;
import io.ferry.proxy.auth.SaslAuthenticator;
import io.ferry.proxy.backend.BackendConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.compression.Compression;
import io.ferry.proxy.config.ClusterSettings;
import io.ferry.proxy.dualreads.ReadMirroring;
import io.ferry.proxy.frame.FrameWriter;
import io.ferry.proxy.frame.ProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Map;
import java.util.function.Function;

/**
 * What one client connection knows of itself, shared by its handshake and its request exchange:
 * where it stands, the protocol version it agreed on, its keyspace, its connections to origin and
 * target (and to the secondary, for mirrored reads), how it authenticated, and its output.
 *
 * <p>Buffer ownership: {@link #write} takes the frame it is given.
 *
 * <p>Thread policy: used on the client channel's event loop only, which also serves its backend
 * connections.
 */
public final class ClientSession {

  /** Where a client connection stands. */
  public enum Phase {
    /** Waiting for STARTUP (OPTIONS may come first). */
    NEW,
    /** STARTUP received; connecting to the clusters and completing their handshakes. */
    HANDSHAKE,
    /** The client authenticates with the cluster its credentials are for (AUTH_RESPONSE). */
    AUTHENTICATING,
    /** Requests are routed. */
    READY,
    CLOSED
  }

  private final ProxyContext context;
  private final Channel channel;
  private final String label;
  private final FrameWriter writer;
  private final ClientTokens clientTokens = new ClientTokens();
  private Phase phase = Phase.NEW;
  private int version = -1;
  private ProtocolVersion protocolVersion = ProtocolVersion.V4;
  private String keyspace;
  private BackendConnection origin;
  private BackendConnection target;
  private Map<String, String> startupOptions = Map.of();
  private Compression compression;
  private ClusterRole credentialsCluster;
  private ReadMirroring mirroring;

  public ClientSession(ProxyContext context, Channel channel, String label) {
    this.context = context;
    this.channel = channel;
    this.label = label;
    this.writer = new FrameWriter(channel);
  }

  public ProxyContext context() {
    return context;
  }

  public Channel channel() {
    return channel;
  }

  /** The client's address, as log lines name it: {@code [client 10.0.0.7:51234]}. */
  public String label() {
    return label;
  }

  public Phase phase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public boolean isClosed() {
    return phase == Phase.CLOSED;
  }

  /** The agreed protocol version's code, or -1 before STARTUP. */
  public int version() {
    return version;
  }

  public ProtocolVersion protocolVersion() {
    return protocolVersion;
  }

  public void agreeOn(ProtocolVersion version) {
    this.version = version.code();
    this.protocolVersion = version;
  }

  /** The connection's keyspace (USE), or null. */
  public String keyspace() {
    return keyspace;
  }

  public void setKeyspace(String keyspace) {
    this.keyspace = keyspace;
  }

  public BackendConnection origin() {
    return origin;
  }

  public BackendConnection target() {
    return target;
  }

  public BackendConnection backend(ClusterRole role) {
    return role == ClusterRole.ORIGIN ? origin : target;
  }

  public void connectedTo(BackendConnection origin, BackendConnection target) {
    this.origin = origin;
    this.target = target;
  }

  public Map<String, String> startupOptions() {
    return startupOptions;
  }

  /** What the client's STARTUP asked for. */
  public void startedWith(Map<String, String> options, Compression compression) {
    this.startupOptions = options;
    this.compression = compression;
  }

  /** The compression the client asked for in STARTUP, or null. */
  public Compression compression() {
    return compression;
  }

  /** The cluster the client's credentials are for; null when no cluster asked for them. */
  public ClusterRole credentialsCluster() {
    return credentialsCluster;
  }

  public void setCredentialsCluster(ClusterRole cluster) {
    this.credentialsCluster = cluster;
  }

  /** The tokens the client sent, to replay on the mirrored-reads connection. */
  public ClientTokens clientTokens() {
    return clientTokens;
  }

  /**
   * How another connection to {@code cluster} authenticates, given the authenticator its node
   * names: as the client did when the client's credentials are for that cluster, else with Ferry's
   * own credentials for it.
   */
  public Function<String, SaslAuthenticator> credentialsFor(ClusterRole cluster) {
    if (cluster == credentialsCluster) {
      return authenticator -> clientTokens.replay();
    }
    ClusterSettings settings = context.settings().cluster(cluster);
    return authenticator ->
        new PlainTextAuthenticator(settings.username(), settings.password(), authenticator);
  }

  /** The mirrored-reads side of this connection, opened on first use. */
  public ReadMirroring mirroring() {
    if (mirroring == null) {
      mirroring =
          new ReadMirroring(
              context.dualReads(),
              context.codec(),
              context::connector,
              channel.eventLoop(),
              label,
              version,
              startupOptions,
              this::credentialsFor,
              context.settings().requestTimeout().toNanos());
    }
    return mirroring;
  }

  /** The mirrored-reads side, or null when no read was mirrored. */
  public ReadMirroring mirroringIfOpen() {
    return mirroring;
  }

  /** Queues a frame to the client without flushing. */
  public void write(ByteBuf frame) {
    writer.write(frame);
  }

  /** Queues an answer Ferry gives itself, in the agreed protocol version. */
  public void reply(int streamId, Message message) {
    reply(streamId, message, version);
  }

  /** Queues an answer Ferry gives itself, in {@code frameVersion}. */
  public void reply(int streamId, Message message, int frameVersion) {
    write(context.codec().encodeResponse(frameVersion, streamId, message));
  }

  /** Sends what was queued. */
  public void flush() {
    writer.flush();
  }

  /** Closes the client connection and its backend connections, once. */
  public void close() {
    if (phase == Phase.CLOSED) {
      return;
    }
    phase = Phase.CLOSED;
    closeBackends("client connection closed");
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  /** Closes the backend connections (the client channel is closing, or never got them). */
  public void closeBackends(String reason) {
    if (mirroring != null) {
      mirroring.close();
    }
    if (origin != null) {
      origin.close(reason);
    }
    if (target != null) {
      target.close(reason);
    }
  }
}
