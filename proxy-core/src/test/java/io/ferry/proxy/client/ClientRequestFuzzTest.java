package io.ferry.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.request.Options;
import com.datastax.oss.protocol.internal.request.Startup;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.Ready;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.config.ConfigLoader;
import io.ferry.proxy.config.ProxyOption;
import io.ferry.proxy.config.ProxySettings;
import io.ferry.proxy.it.LogLines;
import io.ferry.proxy.scripted.RawCqlClient;
import io.ferry.proxy.scripted.ScriptedCqlServer;
import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes what Ferry does with one request, whatever its header fields and body: a running Ferry in
 * front of two scripted nodes gets it on a fresh client connection, before or after the handshake,
 * followed by an OPTIONS (see {@code proxy-core/FUZZING.md}). This is where a request's body is
 * parsed (CQL text, query parameters, prepared ids, batch children) and rewritten (timestamps).
 *
 * <p>Whatever the request: Ferry never fails with an unexpected exception; it closes the connection
 * only after an error saying why; and once the handshake is done, a request with a readable header
 * fails alone: it gets exactly one answer, and the connection goes on.
 *
 * <p>The input: one byte of options (bit 0: send the request before the handshake), then the
 * request's header fields: version byte (a v4 connection's requests have 4), flags, stream id (two
 * bytes), opcode; then its body.
 */
class ClientRequestFuzzTest {

  private static final String MURMUR3 = "org.apache.cassandra.dht.Murmur3Partitioner";

  private static ScriptedCqlServer origin;
  private static ScriptedCqlServer target;
  private static Proxy ferry;
  private static LogLines ferryLogs;
  private static LogLines nettyLogs;

  @BeforeAll
  static void start() throws Exception {
    origin = new ScriptedCqlServer("127.0.0.76", Set.of(4), "o", MURMUR3);
    target = new ScriptedCqlServer("127.0.0.77", Set.of(4), "t", MURMUR3);
    Map<String, String> env =
        Map.of(
            "ZDM_ORIGIN_CONTACT_POINTS", "127.0.0.76",
            "ZDM_TARGET_CONTACT_POINTS", "127.0.0.77",
            "ZDM_PROXY_LISTEN_ADDRESS", "127.0.0.78",
            "ZDM_PROXY_LISTEN_PORT", "0",
            // long enough for a loaded machine, short enough for queries never answered
            "ZDM_PROXY_REQUEST_TIMEOUT_MS", "3000",
            "ZDM_REPLACE_CQL_FUNCTIONS", "true");
    ferry =
        new Proxy(ProxySettings.from(ConfigLoader.load(null, env, List.of(ProxyOption.values()))));
    ferry.start().get(10, TimeUnit.SECONDS);
    // What Ferry logs is checked here, not shown: most inputs are errors it reports.
    ferryLogs = LogLines.of("io.ferry", Level.INFO);
    nettyLogs = LogLines.of("io.netty", Level.WARN);
    ((Logger) LoggerFactory.getLogger("io.ferry")).setAdditive(false);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger("io.ferry")).setAdditive(true);
    ferryLogs.close();
    nettyLogs.close();
    ferry.shutdown();
    origin.close();
    target.close();
  }

  @FuzzTest
  void should_fail_only_the_request_or_its_connection_never_ferry(byte[] input) throws IOException {
    // Jazzer's SSRF detector forbids connections once fuzzing starts; these stay on loopback. Not
    // restored: Ferry's event loops may connect between executions.
    BugDetectors.allowNetworkConnections((host, port) -> isLoopback(host));
    // given
    Request request = Request.of(input);
    int sentinel = request.streamId() == 32767 ? 32766 : 32767;
    ferryLogs.clear();
    nettyLogs.clear();
    origin.forgetReceived();
    target.forgetReceived();
    List<Frame> answers = new ArrayList<>();
    boolean closed;
    try (RawCqlClient client = new RawCqlClient(ferry.listenAddress())) {
      if (!request.beforeHandshake()) {
        client.send(4, 0, new Startup(Map.of("CQL_VERSION", "3.0.0")));
        assertThat(client.receive().message).isInstanceOf(Ready.class);
      }
      // when
      client.sendRaw(Unpooled.wrappedBuffer(request.frame()));
      client.send(4, sentinel, Options.INSTANCE);
      closed = readUntilAnswered(client, answers, sentinel, request.streamId());
      if (!closed) {
        // whatever comes before the answer to a second OPTIONS is a second answer
        client.send(4, sentinel, Options.INSTANCE);
        closed = readUntilAnswered(client, answers, sentinel, -1);
      }
    }
    // then
    String exchange = describe(request, answers, closed);
    // Reporting a client's protocol error is the only error Ferry may log here.
    assertThat(ferryLogs.linesAtOrAbove(Level.ERROR))
        .as("Ferry's errors after %s", exchange)
        .allMatch(line -> line.contains("] protocol error: "));
    assertThat(nettyLogs.lines()).as("Netty's warnings after %s", exchange).isEmpty();
    if (closed) {
      assertThat(answers)
          .as("an error before the connection closed: %s", exchange)
          .anyMatch(answer -> answer.message instanceof Error);
    }
    if (!request.beforeHandshake() && request.isReadable() && !request.disconnectsNode()) {
      assertThat(closed).as("connection closed: %s", exchange).isFalse();
      assertThat(answers.stream().filter(answer -> answer.streamId == request.streamId()))
          .as("answers to the request: %s", exchange)
          .hasSize(1);
    }
  }

  /** Whether a host (as the SSRF detector names it: perhaps by reverse lookup) is loopback. */
  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Reads answers until both stream ids got one (a negative id: none expected), or the connection
   * closed.
   *
   * @return whether it closed
   */
  private static boolean readUntilAnswered(
      RawCqlClient client, List<Frame> answers, int first, int second) throws IOException {
    boolean firstAnswered = false;
    boolean secondAnswered = second < 0;
    while (!firstAnswered || !secondAnswered) {
      Frame answer;
      try {
        answer = client.receive();
      } catch (EOFException | SocketException e) {
        return true;
      }
      answers.add(answer);
      firstAnswered |= answer.streamId == first;
      secondAnswered |= answer.streamId == second;
    }
    return false;
  }

  private static String describe(Request request, List<Frame> answers, boolean closed) {
    return request
        + " answered with "
        + answers.stream().map(answer -> answer.streamId + ": " + answer.message).toList()
        + (closed ? ", then closed" : "");
  }

  /** The request the input describes. */
  private record Request(boolean beforeHandshake, byte[] frame) {

    static Request of(byte[] input) {
      byte[] header = Arrays.copyOf(input, 6);
      byte[] body = input.length > 6 ? Arrays.copyOfRange(input, 6, input.length) : new byte[0];
      byte[] frame = new byte[9 + body.length];
      frame[0] = header[1];
      frame[1] = header[2];
      frame[2] = header[3];
      frame[3] = header[4];
      frame[4] = header[5];
      frame[5] = (byte) (body.length >>> 24);
      frame[6] = (byte) (body.length >>> 16);
      frame[7] = (byte) (body.length >>> 8);
      frame[8] = (byte) body.length;
      System.arraycopy(body, 0, frame, 9, body.length);
      return new Request((header[0] & 1) != 0, frame);
    }

    int streamId() {
      return (short) ((frame[2] & 0xFF) << 8 | (frame[3] & 0xFF));
    }

    /** A header a v4 connection reads as one of its requests, with a stream id to answer on. */
    boolean isReadable() {
      return frame[0] == 4 && streamId() >= 0;
    }

    /** A query the scripted nodes answer by dropping their connection, which Ferry's follows. */
    boolean disconnectsNode() {
      return new String(frame, StandardCharsets.ISO_8859_1).contains(ScriptedCqlServer.DISCONNECT);
    }

    @Override
    public String toString() {
      return (beforeHandshake ? "before the handshake, " : "")
          + "v"
          + (frame[0] & 0xFF)
          + " flags "
          + (frame[1] & 0xFF)
          + " stream "
          + streamId()
          + " opcode "
          + (frame[4] & 0xFF)
          + " with "
          + (frame.length - 9)
          + " body bytes";
    }
  }
}
