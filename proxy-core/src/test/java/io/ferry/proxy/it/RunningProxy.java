package io.ferry.proxy.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.ssl.SslEngineFactory;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.testing.cassandra.CassandraClusters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A Ferry proxy started in the test JVM in front of the test clusters, configured like a user
 * would: with ZDM_* variables.
 */
final class RunningProxy implements AutoCloseable {

  static final String DATACENTER = "datacenter1";

  private final Proxy proxy;
  private final String address;
  private final int port;
  private final SimpleMeterRegistry registry;

  private RunningProxy(Proxy proxy, String address, int port, SimpleMeterRegistry registry) {
    this.proxy = proxy;
    this.address = address;
    this.port = port;
    this.registry = registry;
  }

  /** The proxy's meters (with the default {@code zdm} prefix). */
  SimpleMeterRegistry registry() {
    return registry;
  }

  /** The value of a counter, 0 when it does not exist (yet). */
  double counter(String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  /** Ferry on 127.0.0.1 with origin and target of the shared test clusters. */
  static RunningProxy start(Map<String, String> environment) {
    Map<String, String> env = new HashMap<>();
    env.put("ZDM_ORIGIN_CONTACT_POINTS", CassandraClusters.ORIGIN_ADDRESS);
    env.put("ZDM_TARGET_CONTACT_POINTS", CassandraClusters.TARGET_ADDRESS);
    env.put("ZDM_PROXY_LISTEN_ADDRESS", "127.0.0.1");
    env.put("ZDM_PROXY_LISTEN_PORT", Integer.toString(freePort("127.0.0.1")));
    env.putAll(environment);
    ProxySettings settings =
        ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values())));
    try {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      Proxy proxy = new Proxy(settings, registry);
      proxy.start().get(60, TimeUnit.SECONDS);
      return new RunningProxy(proxy, settings.listenAddress(), settings.listenPort(), registry);
    } catch (Exception e) {
      throw new IllegalStateException("Ferry did not start", e);
    }
  }

  static RunningProxy start() {
    return start(Map.of());
  }

  Proxy proxy() {
    return proxy;
  }

  InetSocketAddress address() {
    return new InetSocketAddress(address, port);
  }

  /** A Java driver session through Ferry. */
  CqlSession session() {
    return session(builder -> builder);
  }

  CqlSession session(UnaryOperator<ProgrammaticDriverConfigLoaderBuilder> config) {
    return connect(address(), config);
  }

  /** A Java driver session straight to a cluster node, to check what Ferry did. */
  static CqlSession direct(String nodeAddress) {
    return connect(new InetSocketAddress(nodeAddress, 9042), builder -> builder);
  }

  /**
   * Runs statements directly on origin and on target of the shared test clusters (schema set-up).
   */
  static void executeOnBothClusters(String... statements) {
    for (String node :
        List.of(CassandraClusters.ORIGIN_ADDRESS, CassandraClusters.TARGET_ADDRESS)) {
      try (CqlSession session = direct(node)) {
        for (String statement : statements) {
          session.execute(statement);
        }
      }
    }
  }

  static CqlSession connect(
      InetSocketAddress contactPoint, UnaryOperator<ProgrammaticDriverConfigLoaderBuilder> config) {
    return connect(contactPoint, config, null);
  }

  /** A session over TLS when {@code tls} is not null. */
  static CqlSession connect(
      InetSocketAddress contactPoint,
      UnaryOperator<ProgrammaticDriverConfigLoaderBuilder> config,
      SslEngineFactory tls) {
    ProgrammaticDriverConfigLoaderBuilder loader =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(
                DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(20))
            .withDuration(
                DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(20));
    CqlSessionBuilder builder =
        CqlSession.builder()
            .addContactPoint(contactPoint)
            .withLocalDatacenter(DATACENTER)
            .withConfigLoader(config.apply(loader).build());
    if (tls != null) {
      builder.withSslEngineFactory(tls);
    }
    return builder.build();
  }

  static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    proxy.shutdown();
  }
}
