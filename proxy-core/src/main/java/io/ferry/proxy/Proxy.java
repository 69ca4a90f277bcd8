package io.ferry.proxy;

import io.ferry.proxy.client.ClientPipeline;
import io.ferry.proxy.client.FallbackRecall;
import io.ferry.proxy.cluster.ClusterConnector;
import io.ferry.proxy.cluster.ClusterTopology;
import io.ferry.proxy.cluster.ControlConnection;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.dualreads.DualReads;
import io.ferry.proxy.handshake.ProtocolNegotiation;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.metrics.ProxyMetrics;
import io.ferry.proxy.partialwrites.PartialWrites;
import io.ferry.proxy.rewrite.NowReplacement;
import io.ferry.proxy.rewrite.WriteTimestamps;
import io.ferry.proxy.routing.PreparedStatementCache;
import io.ferry.proxy.routing.Router;
import io.ferry.proxy.session.ProxyContext;
import io.ferry.proxy.tls.TlsContexts;
import io.ferry.proxy.topology.SystemTables;
import io.ferry.proxy.topology.VirtualTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Ferry proxy: control connections to both clusters, then a CQL listener.
 *
 * <p>Start-up follows the ZDM Proxy: the listener opens only once both control connections are up
 * (they retry with backoff until then), so clients never reach a half-ready proxy. Shutdown drains:
 * the listener closes, new requests get OVERLOADED, in-flight requests finish (up to {@code
 * shutdown-timeout}), then everything closes.
 *
 * <p>Thread-safe.
 */
public final class Proxy {

  private static final Logger LOG = LoggerFactory.getLogger(Proxy.class);

  private final ProxySettings settings;
  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final ControlConnection originControl;
  private final ControlConnection targetControl;
  private final ProxyContext context;
  private final ClientPipeline clientPipeline;
  private final FallbackRecall fallbackRecall;
  private volatile Channel listener;

  /** A proxy that records no metrics. */
  public Proxy(ProxySettings settings) throws UnknownHostException {
    this(settings, new CompositeMeterRegistry());
  }

  /**
   * Reads the TLS files the settings name, and builds the proxy without connecting anything.
   *
   * @param registry where the proxy's meters go (ignored when {@code metrics.enabled} is false)
   * @throws io.ferry.proxy.config.InvalidConfigurationException when a TLS file cannot be used
   */
  public Proxy(ProxySettings settings, MeterRegistry registry) throws UnknownHostException {
    this.settings = settings;
    TlsContexts tls = TlsContexts.load(settings);
    this.acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("ferry-accept"));
    this.workers = new NioEventLoopGroup(0, new DefaultThreadFactory("ferry-io"));
    MessageCodec codec = new MessageCodec(PooledByteBufAllocator.DEFAULT);
    this.originControl =
        new ControlConnection(settings.origin(), settings, workers.next(), codec, tls.origin());
    this.targetControl =
        new ControlConnection(settings.target(), settings, workers.next(), codec, tls.target());
    PreparedStatementCache preparedStatements =
        new PreparedStatementCache(settings.preparedStatementCacheSize());
    AtomicReference<ClientPipeline> pipeline = new AtomicReference<>();
    ProxyMetrics metrics =
        settings.metrics().enabled()
            ? new ProxyMetrics(
                registry,
                settings.metrics().prefix(),
                settings.metrics().originBuckets(),
                settings.metrics().targetBuckets(),
                settings.metrics().asyncBuckets(),
                preparedStatements::size,
                () -> pipeline.get() == null ? 0 : pipeline.get().openConnections())
            : ProxyMetrics.disabled();
    this.context =
        new ProxyContext(
            settings,
            codec,
            new Router(
                settings.primaryCluster(), settings.systemQueriesCluster(), settings.readMode()),
            preparedStatements,
            new SystemTables(VirtualTopology.from(settings)),
            new ClusterConnector(settings.origin(), settings, originControl, metrics, tls.origin()),
            new ClusterConnector(settings.target(), settings, targetControl, metrics, tls.target()),
            metrics,
            new WriteTimestamps(),
            new NowReplacement(codec),
            new DualReads(
                settings.dualReads(),
                metrics,
                codec,
                role -> role == ClusterRole.ORIGIN ? originControl : targetControl),
            new PartialWrites(),
            new ProxyContext.DrainState());
    this.clientPipeline = new ClientPipeline(context, tls.clientFacing());
    pipeline.set(clientPipeline);
    this.fallbackRecall = new FallbackRecall(context, clientPipeline);
  }

  /**
   * Connects to both clusters, then opens the listener. The future completes once clients can
   * connect; it fails if a cluster cannot be used at all or the listen address cannot be bound.
   */
  public CompletableFuture<Void> start() {
    LOG.info(
        "Starting Ferry: origin {}, target {}, primary cluster {}",
        settings.origin().contactPoints(),
        settings.target().contactPoints(),
        settings.primaryCluster());
    // The sums of writes that failed on one cluster only are logged when due; stops with workers.
    workers.scheduleAtFixedRate(context.partialWrites()::flush, 1, 1, TimeUnit.SECONDS);
    CompletableFuture<ClusterTopology> origin = originControl.start();
    CompletableFuture<ClusterTopology> target = targetControl.start();
    return CompletableFuture.allOf(origin, target).thenCompose(ready -> bind());
  }

  private CompletableFuture<Void> bind() {
    CompletableFuture<Void> bound = new CompletableFuture<>();
    new ServerBootstrap()
        .group(acceptor, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(clientPipeline)
        .bind(settings.listenAddress(), settings.listenPort())
        .addListener(
            (io.netty.channel.ChannelFuture future) -> {
              if (future.isSuccess()) {
                listener = future.channel();
                LOG.info(
                    "Ferry is listening for CQL clients on {}{} (protocol versions {})",
                    Endpoints.format(listenAddress()),
                    settings.clientTls().enabled()
                        ? settings.clientTls().requireClientAuth()
                            ? " with TLS, client certificates required"
                            : " with TLS"
                        : "",
                    ProtocolNegotiation.of(
                            originControl.topology(), targetControl.topology(), settings.protocol())
                        .accepted());
                fallbackRecall.start();
                bound.complete(null);
              } else {
                bound.completeExceptionally(
                    new IllegalStateException(
                        "cannot listen on "
                            + settings.listenAddress()
                            + ":"
                            + settings.listenPort()
                            + " (ZDM_PROXY_LISTEN_ADDRESS/PORT): "
                            + future.cause().getMessage(),
                        future.cause()));
              }
            });
    return bound;
  }

  /** Whether the listener is open: both control connections came up once. */
  public boolean isStarted() {
    return listener != null;
  }

  public ProxySettings settings() {
    return settings;
  }

  /** The bound listen address (useful when the configured port is 0). */
  public InetSocketAddress listenAddress() {
    return listener == null ? null : (InetSocketAddress) listener.localAddress();
  }

  public ControlConnection controlConnection(ClusterRole role) {
    return role == ClusterRole.ORIGIN ? originControl : targetControl;
  }

  public int clientConnections() {
    return clientPipeline.openConnections();
  }

  public ProxyContext context() {
    return context;
  }

  /** Drains and stops. Blocks until done (at most about {@code shutdown-timeout}). */
  public void shutdown() {
    LOG.info("Shutting down: refusing new requests, letting in-flight requests finish");
    Channel current = listener;
    if (current != null) {
      current.close().syncUninterruptibly();
    }
    fallbackRecall.close();
    context.drainState().startDraining();
    long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
    int inFlight = clientPipeline.inFlightRequests();
    while (inFlight > 0 && System.nanoTime() < deadline) {
      sleep(20);
      inFlight = clientPipeline.inFlightRequests();
    }
    if (inFlight > 0) {
      LOG.warn("{} requests still in flight after shutdown-timeout; closing anyway", inFlight);
    }
    clientPipeline.channels().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    context.partialWrites().flushAll();
    originControl.close();
    targetControl.close();
    context.dualReads().close();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    LOG.info("Ferry stopped");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
