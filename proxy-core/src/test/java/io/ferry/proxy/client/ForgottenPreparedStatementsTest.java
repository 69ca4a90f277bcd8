package io.ferry.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.Message;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Batch;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import com.datastax.oss.protocol.internal.response.error.Unprepared;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import com.datastax.oss.protocol.internal.response.result.Void;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.scripted.RawCqlClient;
import io.ferry.proxy.scripted.ScriptedCqlServer;
import io.ferry.proxy.scripted.ScriptedMigration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cluster that forgets a prepared statement (a node restarted, or evicted it from its cache)
 * costs the client nothing, although origin and target know the statement by different ids and the
 * client knows only origin's.
 *
 * <p>Ferry prepares the statement again on the cluster that forgot it and retries there, rather
 * than handing the client an UNPREPARED: the client would prepare again and execute again on both
 * clusters, so the cluster that did not forget would apply the write twice (a counter increment or
 * a list append counted twice), and Ferry would report a failed write that was not.
 */
class ForgottenPreparedStatementsTest {

  private static final String WRITE = "INSERT INTO ks.t (k) VALUES (1)";
  private static final String OTHER_WRITE = "INSERT INTO ks.t (k) VALUES (2)";

  private ScriptedMigration migration;
  private ScriptedCqlServer origin;
  private ScriptedCqlServer target;
  private SimpleMeterRegistry registry;
  private Proxy proxy;
  private RawCqlClient client;

  @BeforeEach
  void start() throws Exception {
    migration = ScriptedMigration.start("127.0.0.141", "127.0.0.142", Map.of());
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
  void should_execute_once_on_each_cluster_when_target_forgot_the_statement() throws Exception {
    // given a write prepared through Ferry, which origin and target know by different ids
    byte[] id = prepare(WRITE);
    assertThat(id).isEqualTo(origin.preparedId(WRITE)).isNotEqualTo(target.preparedId(WRITE));
    // and target forgets it
    target.forgetPreparedStatements();

    // when the client executes it
    Message answer = execute(id);

    // then the execution succeeds
    assertThat(answer).isInstanceOf(Void.class);
    // and target prepared it again and ran it, once, as origin did
    assertThat(target.received(ProtocolConstants.Opcode.PREPARE)).hasSize(2);
    assertThat(target.executedQueries()).containsExactly(WRITE);
    assertThat(origin.executedQueries()).containsExactly(WRITE);
    // and no write is reported as failed
    assertThat(failedWrites()).isZero();
  }

  @Test
  void should_execute_once_on_each_cluster_when_origin_forgot_the_statement() throws Exception {
    // given a write prepared through Ferry, which origin and target know by different ids
    byte[] id = prepare(WRITE);
    // and origin forgets it
    origin.forgetPreparedStatements();

    // when the client executes it
    Message answer = execute(id);

    // then the execution succeeds
    assertThat(answer).isInstanceOf(Void.class);
    // and origin prepared it again and ran it, once, as target did
    assertThat(origin.received(ProtocolConstants.Opcode.PREPARE)).hasSize(2);
    assertThat(origin.executedQueries()).containsExactly(WRITE);
    assertThat(target.executedQueries()).containsExactly(WRITE);
    assertThat(failedWrites()).isZero();
  }

  @Test
  void should_run_a_batch_once_on_each_cluster_when_target_forgot_a_statement_in_it()
      throws Exception {
    // given two writes prepared through Ferry, and target forgetting them
    byte[] first = prepare(WRITE);
    byte[] second = prepare(OTHER_WRITE);
    target.forgetPreparedStatements();

    // when the client runs them in a BATCH
    client.send(
        4,
        3,
        new Batch(
            ProtocolConstants.BatchType.LOGGED,
            List.of(first, second),
            List.of(List.of(), List.of()),
            ProtocolConstants.ConsistencyLevel.ONE,
            ProtocolConstants.ConsistencyLevel.SERIAL,
            QueryOptions.NO_DEFAULT_TIMESTAMP,
            null,
            QueryOptions.NO_NOW_IN_SECONDS));
    Message answer = client.receive().message;

    // then the batch succeeds, and ran once on each cluster
    assertThat(answer).isInstanceOf(Void.class);
    assertThat(target.executedQueries()).containsExactly(WRITE, OTHER_WRITE);
    assertThat(origin.executedQueries()).containsExactly(WRITE, OTHER_WRITE);
    assertThat(failedWrites()).isZero();
  }

  /**
   * What any client can count on, whichever way Ferry handles it: an UNPREPARED, if the client gets
   * one at all, names the id the client knows (origin's), so that a driver prepares again and its
   * execution succeeds in the end on both clusters.
   */
  @ParameterizedTest
  @ValueSource(strings = {"origin", "target"})
  void should_let_the_execution_succeed_in_the_end_when_one_cluster_forgot_the_statement(
      String forgetting) throws Exception {
    // given a write prepared through Ferry, and one cluster forgetting it
    byte[] id = prepare(WRITE);
    (forgetting.equals("origin") ? origin : target).forgetPreparedStatements();

    // when the client executes it, and prepares again and retries if told UNPREPARED, as drivers do
    Message answer = execute(id);
    if (answer instanceof Unprepared unprepared) {
      // then the UNPREPARED names the client's id
      assertThat(unprepared.id).isEqualTo(id);
      assertThat(prepare(WRITE)).isEqualTo(id);
      answer = execute(id);
    }

    // then the execution succeeds, and reached both clusters
    assertThat(answer).isInstanceOf(Void.class);
    assertThat(origin.executedQueries()).contains(WRITE);
    assertThat(target.executedQueries()).contains(WRITE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"origin", "target"})
  void should_let_a_java_driver_execution_succeed_when_one_cluster_forgot_the_statement(
      String forgetting) {
    try (CqlSession session = driverSession()) {
      // given a write prepared through Ferry by the Java driver, and one cluster forgetting it
      PreparedStatement write = session.prepare(WRITE);
      (forgetting.equals("origin") ? origin : target).forgetPreparedStatements();

      // when the application executes it
      session.execute(write.bind());

      // then it succeeded (no exception), and ran on both clusters
      assertThat(origin.executedQueries()).contains(WRITE);
      assertThat(target.executedQueries()).contains(WRITE);
    }
  }

  /**
   * A Java driver session through Ferry, without the schema and token metadata that the scripted
   * servers do not serve.
   */
  private CqlSession driverSession() {
    return CqlSession.builder()
        .addContactPoint(proxy.listenAddress())
        .withLocalDatacenter("dc1")
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
                .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .build())
        .build();
  }

  /** Prepares through Ferry; returns the id the client gets. */
  private byte[] prepare(String query) throws IOException {
    client.send(4, 1, new Prepare(query));
    Frame answer = client.receive();
    assertThat(answer.message).isInstanceOf(Prepared.class);
    return ((Prepared) answer.message).preparedQueryId;
  }

  private Message execute(byte[] id) throws IOException {
    client.send(4, 2, new Execute(id, QueryOptions.DEFAULT));
    Frame answer = client.receive();
    assertThat(answer.streamId).isEqualTo(2);
    return answer.message;
  }

  private double failedWrites() {
    return registry.find("zdm_proxy_failed_writes_total").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
