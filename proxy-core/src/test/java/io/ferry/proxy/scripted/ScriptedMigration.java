package io.ferry.proxy.scripted;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.Ready;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A migration between two scripted single-node clusters speaking protocol v4, with a Ferry in front
 * of them listening on an ephemeral port of 127.0.0.1: the set-up of the tests that need what a
 * real node cannot do on demand.
 */
public final class ScriptedMigration implements AutoCloseable {

  private static final String MURMUR3 = "org.apache.cassandra.dht.Murmur3Partitioner";

  public final ScriptedCqlServer origin;
  public final ScriptedCqlServer target;
  public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  public final Proxy proxy;

  private ScriptedMigration(
      ScriptedCqlServer origin, ScriptedCqlServer target, Map<String, String> settings)
      throws Exception {
    this.origin = origin;
    this.target = target;
    this.proxy =
        new Proxy(
            ProxySettings.from(ConfigLoader.load(null, settings, List.of(ProxyOption.values()))),
            registry);
    proxy.start().get(10, TimeUnit.SECONDS);
  }

  /**
   * Starts both scripted nodes and Ferry.
   *
   * @param settings Ferry's settings besides the contact points and the listener
   */
  public static ScriptedMigration start(
      String originAddress, String targetAddress, Map<String, String> settings) throws Exception {
    Map<String, String> environment = new HashMap<>(settings);
    environment.put("ZDM_ORIGIN_CONTACT_POINTS", originAddress);
    environment.put("ZDM_TARGET_CONTACT_POINTS", targetAddress);
    environment.put("ZDM_PROXY_LISTEN_ADDRESS", "127.0.0.1");
    environment.put("ZDM_PROXY_LISTEN_PORT", "0");
    ScriptedCqlServer origin = new ScriptedCqlServer(originAddress, Set.of(4), "o", MURMUR3);
    ScriptedCqlServer target = new ScriptedCqlServer(targetAddress, Set.of(4), "t", MURMUR3);
    return new ScriptedMigration(origin, target, environment);
  }

  /** A raw client whose v4 handshake is done (STARTUP on stream id 0, READY). */
  public RawCqlClient readyClient() throws IOException {
    RawCqlClient client = new RawCqlClient(proxy.listenAddress());
    client.send(4, 0, new Startup(Map.of("CQL_VERSION", "3.0.0")));
    assertThat(client.receive().message).isInstanceOf(Ready.class);
    return client;
  }

  @Override
  public void close() {
    proxy.shutdown();
    origin.close();
    target.close();
  }
}
