package io.ferry.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.ProtocolConstants.ErrorCode;
import com.datastax.oss.protocol.internal.request.Options;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Ready;
import com.datastax.oss.protocol.internal.response.Supported;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.common.Endpoints;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.handshake.ClientHandshake;
import io.ferry.proxy.it.LogLines;
import io.ferry.proxy.message.MessageCodec;
import io.ferry.proxy.scripted.RawCqlClient;
import io.ferry.proxy.scripted.ScriptedCqlServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that connect and say nothing, stop halfway through a frame, announce frames larger than
 * Ferry takes, or come when all connection slots are taken: each is refused or closed with a clear
 * error, frees what it held, and costs no other client anything. Ferry runs in front of two
 * scripted nodes, with short timeouts.
 */
class HostileClientsTest {

  private static final String MURMUR3 = "org.apache.cassandra.dht.Murmur3Partitioner";
  private static final MessageCodec CODEC = new MessageCodec(ByteBufAllocator.DEFAULT);

  private ScriptedCqlServer origin;
  private ScriptedCqlServer target;
  private Proxy proxy;
  private final List<RawCqlClient> clients = new ArrayList<>();

  @BeforeEach
  void start(@TempDir Path directory) throws Exception {
    origin = new ScriptedCqlServer("127.0.0.71", Set.of(4), "o", MURMUR3);
    target = new ScriptedCqlServer("127.0.0.72", Set.of(4), "t", MURMUR3);
    Path file = directory.resolve("ferry.conf");
    Files.writeString(file, "ferry.proxy.max-frame-length = 1 KiB\n");
    Map<String, String> env =
        Map.of(
            "ZDM_ORIGIN_CONTACT_POINTS", "127.0.0.71",
            "ZDM_TARGET_CONTACT_POINTS", "127.0.0.72",
            "ZDM_PROXY_LISTEN_ADDRESS", "127.0.0.73",
            "ZDM_PROXY_LISTEN_PORT", "0",
            // the connections' timer ticks every 500 ms
            "ZDM_PROXY_REQUEST_TIMEOUT_MS", "5000",
            "ZDM_PROXY_MAX_CLIENT_CONNECTIONS", "2",
            "FERRY_HANDSHAKE_TIMEOUT_MS", "300",
            "FERRY_INCOMPLETE_FRAME_TIMEOUT_MS", "300");
    proxy =
        new Proxy(ProxySettings.from(ConfigLoader.load(file, env, List.of(ProxyOption.values()))));
    proxy.start().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    for (RawCqlClient client : clients) {
      client.close();
    }
    proxy.shutdown();
    origin.close();
    target.close();
  }

  private RawCqlClient connect() throws Exception {
    RawCqlClient client = new RawCqlClient(proxy.listenAddress());
    clients.add(client);
    return client;
  }

  private RawCqlClient ready() throws Exception {
    RawCqlClient client = connect();
    client.send(4, 0, new Startup(Map.of("CQL_VERSION", "3.0.0")));
    assertThat(client.receive().message).isInstanceOf(Ready.class);
    return client;
  }

  @Test
  void should_refuse_a_connection_beyond_max_client_connections_with_an_error_naming_the_setting()
      throws Exception {
    // given all slots taken
    RawCqlClient first = ready();
    ready();
    // when another client asks for something
    RawCqlClient refused = connect();
    refused.send(4, 5, Options.INSTANCE);
    Frame answer = refused.receive();
    // then it is told why, then closed
    assertThat(answer.streamId).isEqualTo(5);
    Error error = (Error) answer.message;
    assertThat(error.code).isEqualTo(ErrorCode.SERVER_ERROR);
    assertThat(error.message)
        .isEqualTo(
            "Ferry already serves its maximum of 2 client connections (max-client-connections,"
                + " ZDM_PROXY_MAX_CLIENT_CONNECTIONS)");
    assertThat(refused.isClosedByServer()).isTrue();
    // and once a served client leaves, its slot (not the refused one's) is free again
    first.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.clientConnections() == 1);
    ready();
  }

  @Test
  void should_close_a_refused_connection_that_sends_nothing() throws Exception {
    // given all slots taken
    ready();
    ready();
    // when a client connects and stays silent
    RawCqlClient silent = connect();
    // then it is closed after handshake-timeout
    assertThat(silent.isClosedByServer()).isTrue();
    assertThat(proxy.clientConnections()).isEqualTo(2);
  }

  @Test
  void should_close_connections_that_never_handshake_and_free_their_slots_quietly()
      throws Exception {
    try (LogLines logs = LogLines.of(ClientHandshake.class.getName(), Level.DEBUG)) {
      // given clients that connect and send nothing, as port probes do, taking every slot
      RawCqlClient first = connect();
      RawCqlClient second = connect();
      // when handshake-timeout passes
      assertThat(first.isClosedByServer()).isTrue();
      assertThat(second.isClosedByServer()).isTrue();
      // then their slots are free for real clients
      await().atMost(Duration.ofSeconds(5)).until(() -> proxy.clientConnections() == 0);
      ready();
      ready();
      // and they were logged at DEBUG only
      assertThat(logs.linesAtOrAbove(Level.INFO)).isEmpty();
      assertThat(logs.lines())
          .contains(
              "[client "
                  + Endpoints.format(first.localAddress())
                  + "] closed: no complete handshake within 300 ms (handshake-timeout): Ferry was"
                  + " waiting for STARTUP");
    }
  }

  @Test
  void should_close_a_client_that_stops_in_the_middle_of_its_handshake_and_log_it_at_info()
      throws Exception {
    try (LogLines logs = LogLines.of(ClientHandshake.class)) {
      // given half a STARTUP
      RawCqlClient client = connect();
      ByteBuf startup = CODEC.encodeRequest(4, 0, new Startup(Map.of("CQL_VERSION", "3.0.0")));
      client.sendRaw(startup.slice(0, 12));
      startup.release();
      // then
      assertThat(client.isClosedByServer()).isTrue();
      assertThat(logs.linesAtOrAbove(Level.INFO))
          .containsExactly(
              "[client "
                  + Endpoints.format(client.localAddress())
                  + "] closed: no complete handshake within 300 ms (handshake-timeout): Ferry was"
                  + " waiting for STARTUP, and holds 12 bytes of an incomplete frame");
    }
  }

  @Test
  void should_close_a_client_that_stalls_in_the_middle_of_a_frame_telling_it_why()
      throws Exception {
    // given a ready client with a request in flight that no cluster answers
    RawCqlClient client = ready();
    client.send(4, 1, new Query("SELECT * FROM ks." + ScriptedCqlServer.NEVER_ANSWERED));
    // when it sends 20 bytes of its next request, and stops
    ByteBuf query = CODEC.encodeRequest(4, 2, new Query("SELECT * FROM ks.t WHERE k = 1"));
    client.sendRaw(query.slice(0, 20));
    query.release();
    // then its request in flight fails, it is told why, and it is closed
    Frame failed = client.receive();
    assertThat(failed.streamId).isEqualTo(1);
    assertThat(((Error) failed.message).message)
        .startsWith("connection closed after a protocol error: a frame has stayed incomplete");
    Frame answer = client.receive();
    assertThat(answer.streamId).isZero();
    Error error = (Error) answer.message;
    assertThat(error.code).isEqualTo(ErrorCode.PROTOCOL_ERROR);
    assertThat(error.message)
        .matches(
            "a frame has stayed incomplete for \\d+ ms while Ferry was reading"
                + " \\(incomplete-frame-timeout: 300 ms\\); 20 of its bytes were held");
    assertThat(client.isClosedByServer()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.clientConnections() == 0);
  }

  @Test
  void should_refuse_an_oversized_request_as_soon_as_its_header_arrives_and_go_on()
      throws Exception {
    // given
    RawCqlClient client = ready();
    // when a request announces a 2 MiB body (max-frame-length is 1 KiB), header first
    client.sendRaw(
        Unpooled.buffer().writeByte(4).writeByte(0).writeShort(7).writeByte(7).writeInt(2 << 20));
    // then it is refused before any of its body is sent
    Frame refusal = client.receive();
    assertThat(refusal.streamId).isEqualTo(7);
    Error error = (Error) refusal.message;
    assertThat(error.code).isEqualTo(ErrorCode.INVALID);
    assertThat(error.message)
        .isEqualTo("Request of 2097152 bytes is larger than Ferry's max-frame-length (1024 bytes)");
    // and once its body is through (skipped), the connection serves the next request
    client.sendRaw(Unpooled.wrappedBuffer(new byte[2 << 20]));
    client.send(4, 8, Options.INSTANCE);
    Frame next = client.receive();
    assertThat(next.streamId).isEqualTo(8);
    assertThat(next.message).isInstanceOf(Supported.class);
  }
}
