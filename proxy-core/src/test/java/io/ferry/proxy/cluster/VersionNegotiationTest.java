package io.ferry.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Ready;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.frame.ProtocolVersion;
import io.ferry.proxy.scripted.RawCqlClient;
import io.ferry.proxy.scripted.ScriptedCqlServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Control connections negotiate downward; clients are steered to what both clusters accept. */
class VersionNegotiationTest {

  private static final String MURMUR3 = "org.apache.cassandra.dht.Murmur3Partitioner";

  private static Proxy proxy(String origin, String target, Map<String, String> extra)
      throws Exception {
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.of(
                "ZDM_ORIGIN_CONTACT_POINTS", origin,
                "ZDM_TARGET_CONTACT_POINTS", target,
                "ZDM_PROXY_LISTEN_ADDRESS", "127.0.0.1",
                "ZDM_PROXY_LISTEN_PORT", "0",
                "ZDM_HEARTBEAT_RETRY_INTERVAL_MIN_MS", "50",
                "ZDM_HEARTBEAT_RETRY_INTERVAL_MAX_MS", "100"));
    env.putAll(extra);
    return new Proxy(
        ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values()))));
  }

  @Test
  void should_negotiate_the_control_connection_down_and_steer_clients_to_v3() throws Exception {
    // given origin speaks v3 only, target v3 and v4
    try (ScriptedCqlServer origin = new ScriptedCqlServer("127.0.0.21", Set.of(3), "o", MURMUR3);
        ScriptedCqlServer target =
            new ScriptedCqlServer("127.0.0.22", Set.of(3, 4), "t", MURMUR3)) {
      Proxy proxy = proxy("127.0.0.21", "127.0.0.22", Map.of());
      try {
        // when
        proxy.start().get(10, TimeUnit.SECONDS);
        // then each control connection started at DseV2 (the default maximum) and stepped down,
        // one version at a time, while refused
        assertThat(origin.startupVersions()).containsExactly(0x42, 0x41, 5, 4, 3);
        assertThat(target.startupVersions()).containsExactly(0x42, 0x41, 5, 4);
        assertThat(proxy.controlConnection(ClusterRole.ORIGIN).topology().protocolVersion())
            .isEqualTo(ProtocolVersion.V3);

        // when a client asks for v4, which origin refuses
        try (RawCqlClient client = new RawCqlClient(proxy.listenAddress())) {
          client.send(4, 1, new Startup(Map.of("CQL_VERSION", "3.0.0")));
          var answer = client.receive();
          // then it is refused in a frame it can read, on stream 0
          assertThat(answer.protocolVersion).isEqualTo(3);
          assertThat(answer.streamId).isZero();
          assertThat(((Error) answer.message).code)
              .isEqualTo(ProtocolConstants.ErrorCode.PROTOCOL_ERROR);
          assertThat(((Error) answer.message).message)
              .isEqualTo(
                  "Invalid or unsupported protocol version (4); supported versions are (3/v3)");
        }
        // when it retries with v3
        try (RawCqlClient client = new RawCqlClient(proxy.listenAddress())) {
          client.send(3, 1, new Startup(Map.of("CQL_VERSION", "3.0.0")));
          // then both clusters got the STARTUP at v3 and the client is ready
          assertThat(client.receive().message).isInstanceOf(Ready.class);
          assertThat(origin.startupVersions()).endsWith(3);
          assertThat(target.startupVersions()).endsWith(3);
        }
      } finally {
        proxy.shutdown();
      }
    }
  }

  @Test
  void should_start_control_connections_at_the_configured_maximum() throws Exception {
    // given
    try (ScriptedCqlServer origin =
            new ScriptedCqlServer("127.0.0.23", Set.of(3, 4), "o", MURMUR3);
        ScriptedCqlServer target =
            new ScriptedCqlServer("127.0.0.24", Set.of(3, 4), "t", MURMUR3)) {
      Proxy proxy =
          proxy("127.0.0.23", "127.0.0.24", Map.of("ZDM_CONTROL_CONN_MAX_PROTOCOL_VERSION", "3"));
      try {
        // when
        proxy.start().get(10, TimeUnit.SECONDS);
        // then
        assertThat(origin.startupVersions()).containsExactly(3);
        assertThat(target.startupVersions()).containsExactly(3);
      } finally {
        proxy.shutdown();
      }
    }
  }

  @Test
  void should_refuse_to_start_in_front_of_a_cluster_with_an_unsupported_partitioner()
      throws Exception {
    // given
    try (ScriptedCqlServer origin =
            new ScriptedCqlServer(
                "127.0.0.25", Set.of(4), "o", "org.apache.cassandra.dht.ByteOrderedPartitioner");
        ScriptedCqlServer target = new ScriptedCqlServer("127.0.0.26", Set.of(4), "t", MURMUR3)) {
      Proxy proxy = proxy("127.0.0.25", "127.0.0.26", Map.of());
      try {
        // when
        Throwable failure =
            org.assertj.core.api.Assertions.catchThrowable(
                () -> proxy.start().get(10, TimeUnit.SECONDS));
        // then
        assertThat(failure)
            .hasRootCauseInstanceOf(ControlConnection.UnusableClusterException.class)
            .rootCause()
            .hasMessageContaining("ByteOrderedPartitioner")
            .hasMessageContaining("needs Murmur3Partitioner or RandomPartitioner");
      } finally {
        proxy.shutdown();
      }
    }
  }
}
