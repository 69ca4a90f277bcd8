package io.ferry.server;

import com.typesafe.config.Config;
import io.ferry.admin.AdminOption;
import io.ferry.admin.AdminRoutes;
import io.ferry.admin.AdminService;
import io.ferry.admin.AdminSettings;
import io.ferry.admin.health.HealthRoutes;
import io.ferry.admin.http.AccessRules;
import io.ferry.admin.http.HttpServer;
import io.ferry.admin.http.Route;
import io.ferry.admin.metrics.MetricsRoutes;
import io.ferry.admin.metrics.PrometheusMetrics;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ConfigOption;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.config.SettingsReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Ferry process: the metrics/health HTTP server, the admin API and the proxy, started in that
 * order (so that readiness answers STARTUP while the proxy connects) and stopped in reverse.
 *
 * <p>Thread-safe.
 */
public final class FerryServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FerryServer.class);

  /** Every setting that may come from the environment, across modules. */
  public static final List<ConfigOption> OPTIONS = allOptions();

  private final ProxySettings proxySettings;
  private final AdminSettings adminSettings;
  private final Proxy proxy;
  private final PrometheusMetrics metrics;
  private final AdminService admin;
  private HttpServer metricsServer;
  private HttpServer adminServer;

  private FerryServer(ProxySettings proxySettings, AdminSettings adminSettings) throws Exception {
    this.proxySettings = proxySettings;
    this.adminSettings = adminSettings;
    this.metrics = proxySettings.metrics().enabled() ? new PrometheusMetrics() : null;
    this.proxy =
        metrics != null ? new Proxy(proxySettings, metrics.registry()) : new Proxy(proxySettings);
    this.admin = new AdminService(proxySettings, adminSettings);
  }

  /**
   * Loads and validates the configuration: environment over {@code file} over defaults.
   *
   * @throws io.ferry.proxy.config.InvalidConfigurationException naming every bad setting
   */
  public static Config loadConfig(Path file, Map<String, String> environment) {
    return ConfigLoader.load(file, environment, OPTIONS);
  }

  /** Builds the server from a loaded configuration (validating it) without starting anything. */
  public static FerryServer create(Config config) throws Exception {
    SettingsReader reader = new SettingsReader(config);
    ch.qos.logback.classic.Level level =
        reader.parsed(
            ServerOption.LOG_LEVEL,
            Logging::parseLevel,
            "one of ERROR, WARN, INFO, DEBUG, TRACE",
            ch.qos.logback.classic.Level.INFO);
    Logging.Format format =
        reader.choice(ServerOption.LOG_FORMAT, Logging.Format.class, Logging.Format.TEXT);
    reader.throwIfInvalid();
    ProxySettings proxySettings = ProxySettings.from(config);
    AdminSettings adminSettings = AdminSettings.from(config);
    Logging.apply(level, format);
    return new FerryServer(proxySettings, adminSettings);
  }

  /** Opens the HTTP servers, then starts the proxy; the future completes when it is listening. */
  public CompletableFuture<Void> start() {
    metricsServer =
        HttpServer.start(
            "metrics",
            adminSettings.metricsAddress(),
            adminSettings.metricsPort(),
            concat(HealthRoutes.routes(proxy), MetricsRoutes.routes(metrics, proxy::isStarted)));
    adminServer =
        HttpServer.start(
            "admin",
            adminSettings.adminAddress(),
            adminSettings.adminPort(),
            AdminRoutes.table(proxy.context().router(), admin),
            AccessRules.guarded(adminSettings.token(), adminSettings.hostNames()));
    return proxy.start();
  }

  public Proxy proxy() {
    return proxy;
  }

  public ProxySettings proxySettings() {
    return proxySettings;
  }

  public HttpServer metricsServer() {
    return metricsServer;
  }

  public HttpServer adminServer() {
    return adminServer;
  }

  public AdminService admin() {
    return admin;
  }

  /** Drains the proxy, then closes the HTTP servers. */
  @Override
  public void close() {
    proxy.shutdown();
    if (adminServer != null) {
      adminServer.close();
    }
    admin.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    LOG.debug("Ferry process stopped");
  }

  private static List<Route> concat(List<Route> first, List<Route> second) {
    List<Route> routes = new ArrayList<>(first);
    routes.addAll(second);
    return routes;
  }

  private static List<ConfigOption> allOptions() {
    List<ConfigOption> options = new ArrayList<>();
    options.addAll(List.of(ProxyOption.values()));
    options.addAll(List.of(AdminOption.values()));
    options.addAll(List.of(ServerOption.values()));
    return List.copyOf(options);
  }
}
