package io.ferry.proxy.client;

import io.ferry.proxy.cluster.ClusterConnector;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.session.ProxyContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings client connections back to their assigned nodes. With host assignment, a client connection
 * whose assigned node is down falls back to another node of the cluster, and stays there once the
 * node is back: after a rolling restart, every Ferry instance of the fleet would then use the same
 * node, and requests would fail on all of them at once when that node restarts in its turn. Every
 * few seconds, when an assigned node accepts connections again, idle client connections on fallback
 * nodes are closed; drivers reopen them, on the assigned node.
 *
 * <p>Thread policy: runs on its own thread (the probes block briefly); closes connections on their
 * event loops.
 */
public final class FallbackRecall implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FallbackRecall.class);
  static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final int PROBE_TIMEOUT_MILLIS = 500;

  private final ProxyContext context;
  private final ClientPipeline pipeline;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "ferry-fallback-recall");
            thread.setDaemon(true);
            return thread;
          });

  public FallbackRecall(ProxyContext context, ClientPipeline pipeline) {
    this.context = context;
    this.pipeline = pipeline;
  }

  public void start() {
    scheduler.scheduleWithFixedDelay(
        this::recall, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void recall() {
    try {
      Set<InetSocketAddress> fallbacks = new HashSet<>();
      for (ClusterRole role : ClusterRole.values()) {
        ClusterConnector.Assignment assignment = context.connector(role).assignment();
        if (!assignment.fallbacks().isEmpty()
            && assignment.assigned().stream()
                .anyMatch(node -> Endpoints.accepts(node, PROBE_TIMEOUT_MILLIS))) {
          fallbacks.addAll(assignment.fallbacks());
        }
      }
      if (!fallbacks.isEmpty()) {
        pipeline.closeIdleOn(fallbacks);
      }
    } catch (RuntimeException e) {
      LOG.debug("Recalling client connections from fallback nodes failed", e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
