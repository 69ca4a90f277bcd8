package io.ferry.proxy.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.internal.core.auth.PlainTextAuthProvider;
import com.datastax.oss.protocol.internal.ProtocolConstants.Opcode;
import com.datastax.oss.protocol.internal.request.AuthResponse;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Query;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.auth.PlainTextAuthenticator;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.scripted.ScriptedCqlServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DSE_V1 and DSE_V2 through Ferry, against two scripted DSE nodes with {@code DseAuthenticator}
 * (there is no DSE server here): the Java driver forced to each DSE version, and the exact requests
 * each node receives.
 */
class DseProtocolTest {

  private static final String MURMUR3 = "org.apache.cassandra.dht.Murmur3Partitioner";
  private static final Set<Integer> DSE_6_8_VERSIONS = Set.of(3, 4, 0x41, 0x42);

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"DSE_V1", "DSE_V2"})
  void should_carry_dse_versions_with_dse_plain_authentication(String version) throws Exception {
    int code = version.equals("DSE_V1") ? 0x41 : 0x42;
    try (ScriptedCqlServer origin =
            new ScriptedCqlServer("127.0.0.35", DSE_6_8_VERSIONS, "dse-origin", MURMUR3)
                .dse()
                .authentication(PlainTextAuthenticator.DSE_AUTHENTICATOR, "ferry", "ferry-pw");
        ScriptedCqlServer target =
            new ScriptedCqlServer("127.0.0.36", DSE_6_8_VERSIONS, "dse-target", MURMUR3)
                .dse()
                .authentication(PlainTextAuthenticator.DSE_AUTHENTICATOR, "app", "app-pw")) {
      Proxy proxy = proxy();
      try {
        proxy.start().get(20, TimeUnit.SECONDS);
        try (CqlSession session = session(proxy, version)) {
          // the driver agreed on the DSE version through Ferry
          ProtocolVersion agreed = session.getContext().getProtocolVersion();
          assertThat(agreed.getCode()).isEqualTo(code);

          session.execute("INSERT INTO ks.t (k, v) VALUES (1, 'dse')");
          PreparedStatement insert = session.prepare("INSERT INTO ks.t (k, v) VALUES (2, 'p')");
          session.execute(insert.bind());
        }
      } finally {
        proxy.shutdown();
      }

      // both nodes got the client's requests at the DSE version
      for (ScriptedCqlServer node : List.of(origin, target)) {
        assertThat(node.received(Opcode.QUERY))
            .filteredOn(r -> ((Query) r.message()).query.startsWith("INSERT"))
            .singleElement()
            .satisfies(r -> assertThat(r.version()).isEqualTo(code));
      }
      // the DSE PLAIN exchange: mechanism, then credentials; the client's to target, Ferry's own
      // to origin (by default the client's credentials are for target)
      assertThat(tokens(target, code)).containsSubsequence("PLAIN", "\u0000app\u0000app-pw");
      assertThat(tokens(origin, code)).containsSubsequence("PLAIN", "\u0000ferry\u0000ferry-pw");
      assertThat(tokens(origin, code)).doesNotContain("\u0000app\u0000app-pw");

      // EXECUTE reached each node with that node's own prepared id (and, in DSE_V2, its own
      // result metadata id): the client only knows origin's
      String query = "INSERT INTO ks.t (k, v) VALUES (2, 'p')";
      for (ScriptedCqlServer node : List.of(origin, target)) {
        Execute execute = (Execute) node.received(Opcode.EXECUTE).get(0).message();
        assertThat(execute.queryId).isEqualTo(node.preparedId(query));
        if (code == 0x42) {
          assertThat(execute.resultMetadataId).isEqualTo(node.resultMetadataId(query));
        }
      }
    }
  }

  private static List<String> tokens(ScriptedCqlServer node, int version) {
    return node.received(Opcode.AUTH_RESPONSE).stream()
        .filter(r -> r.version() == version)
        .map(
            r -> {
              AuthResponse response = (AuthResponse) r.message();
              byte[] token = new byte[response.token.remaining()];
              response.token.duplicate().get(token);
              return new String(token, StandardCharsets.UTF_8);
            })
        .toList();
  }

  private static Proxy proxy() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("ZDM_ORIGIN_CONTACT_POINTS", "127.0.0.35");
    env.put("ZDM_TARGET_CONTACT_POINTS", "127.0.0.36");
    env.put("ZDM_ORIGIN_USERNAME", "ferry");
    env.put("ZDM_ORIGIN_PASSWORD", "ferry-pw");
    env.put("ZDM_TARGET_USERNAME", "app");
    env.put("ZDM_TARGET_PASSWORD", "app-pw");
    env.put("ZDM_PROXY_LISTEN_ADDRESS", "127.0.0.1");
    env.put("ZDM_PROXY_LISTEN_PORT", "0");
    return new Proxy(
        ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values()))));
  }

  private static CqlSession session(Proxy proxy, String version) {
    return CqlSession.builder()
        .addContactPoint(proxy.listenAddress())
        .withLocalDatacenter("dc1")
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withString(DefaultDriverOption.PROTOCOL_VERSION, version)
                .withClass(DefaultDriverOption.AUTH_PROVIDER_CLASS, PlainTextAuthProvider.class)
                .withString(DefaultDriverOption.AUTH_PROVIDER_USER_NAME, "app")
                .withString(DefaultDriverOption.AUTH_PROVIDER_PASSWORD, "app-pw")
                .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
                .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .build())
        .build();
  }
}
