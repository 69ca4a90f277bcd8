package io.ferry.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.result.Void;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.partialwrites.PartialWrites;
import io.ferry.proxy.scripted.RawCqlClient;
import io.ferry.proxy.scripted.ScriptedCqlServer;
import io.ferry.proxy.scripted.ScriptedMigration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Timeouts and lost cluster connections reach the client as errors, never as silence. */
class ClientConnectionFailuresTest {

  private ScriptedMigration migration;
  private ScriptedCqlServer origin;
  private ScriptedCqlServer target;
  private SimpleMeterRegistry registry;
  private Proxy proxy;
  private RawCqlClient client;

  @BeforeEach
  void start() throws Exception {
    migration =
        ScriptedMigration.start(
            "127.0.0.31", "127.0.0.32", Map.of("ZDM_PROXY_REQUEST_TIMEOUT_MS", "300"));
    origin = migration.origin;
    target = migration.target;
    registry = migration.registry;
    proxy = migration.proxy;
    client = migration.readyClient();
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    migration.close();
  }

  @Test
  void should_answer_a_request_no_cluster_answers_with_an_error_naming_the_silent_cluster()
      throws Exception {
    // when a write that neither cluster answers
    send(5, new Query("INSERT INTO ks." + ScriptedCqlServer.NEVER_ANSWERED + " (k) VALUES (1)"));
    Frame answer = receive();
    // then the client hears of it after the request timeout
    assertThat(answer.streamId).isEqualTo(5);
    Error error = (Error) answer.message;
    assertThat(error.code).isEqualTo(ProtocolConstants.ErrorCode.SERVER_ERROR);
    assertThat(error.message)
        .isEqualTo(
            "Ferry received no answer from origin 127.0.0.31:9042 and target 127.0.0.32:9042"
                + " within 300 ms (request-timeout)");
    // and the connection goes on serving (stream id 5 may be used again)
    send(5, new Query("INSERT INTO ks.t (k) VALUES (2)"));
    assertThat(receive().message).isInstanceOf(Void.class);
  }

  @Test
  void should_fail_in_flight_requests_and_close_when_a_cluster_connection_is_lost()
      throws Exception {
    // given a request in flight that neither cluster will answer
    send(1, new Query("SELECT * FROM ks." + ScriptedCqlServer.NEVER_ANSWERED));
    send(2, new Query("INSERT INTO ks." + ScriptedCqlServer.NEVER_ANSWERED + " (k) VALUES (1)"));
    // when a cluster drops the connection on another request
    send(3, new Query("INSERT INTO ks." + ScriptedCqlServer.DISCONNECT + " (k) VALUES (1)"));
    // then every in-flight request gets an error, then the connection closes
    List<Frame> answers = List.of(receive(), receive(), receive());
    assertThat(answers).extracting(answer -> answer.streamId).containsExactlyInAnyOrder(1, 2, 3);
    for (Frame answer : answers) {
      Error error = (Error) answer.message;
      assertThat(error.code).isEqualTo(ProtocolConstants.ErrorCode.SERVER_ERROR);
      // Both clusters got the write and both drop the connection; either loss may be seen first.
      assertThat(error.message)
          .matches("Ferry lost its connection to (origin 127.0.0.31|target 127.0.0.32):9042: .+");
    }
    assertThat(client.isClosedByServer()).isTrue();
    // and Ferry's own connections are unaffected
    assertThat(proxy.controlConnection(ClusterRole.ORIGIN).isUp()).isTrue();
  }

  @Test
  void should_count_and_report_a_write_whose_target_connection_is_lost_while_origin_applies_it()
      throws Exception {
    // given a target that drops the connection on a write that origin applies
    target.disconnectOn("lost_on_target");
    ListAppender<ILoggingEvent> partialWrites = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(PartialWrites.class);
    partialWrites.start();
    logger.addAppender(partialWrites);
    try {
      // when
      send(7, new Query("INSERT INTO ks.lost_on_target (k) VALUES (1)"));
      Frame answer = receive();

      // then the client gets an error
      assertThat(((Error) answer.message).message)
          .startsWith("Ferry lost its connection to target 127.0.0.32:9042");
      // and Ferry counts the write as failed on target only
      assertThat(
              registry
                  .get("zdm_proxy_failed_writes_total")
                  .tag("failed_on", "target")
                  .counter()
                  .count())
          .isEqualTo(1);
      // and tells the operator which table lacks rows on target, without the write's values
      assertThat(partialWrites.list)
          .singleElement()
          .satisfies(
              event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage())
                    .startsWith("1 write to ks.lost_on_target failed on target only")
                    .contains("127.0.0.32:9042: connection lost")
                    .contains("copy them from origin to target")
                    .doesNotContain("VALUES");
              });
    } finally {
      logger.detachAppender(partialWrites);
    }
  }

  private void send(int streamId, Message request) throws IOException {
    client.send(4, streamId, request);
  }

  private Frame receive() throws IOException {
    return client.receive();
  }
}
