package io.ferry.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.protocol.internal.Frame;
import com.datastax.oss.protocol.internal.ProtocolConstants;
import com.datastax.oss.protocol.internal.request.Execute;
import com.datastax.oss.protocol.internal.request.Prepare;
import com.datastax.oss.protocol.internal.request.Query;
import com.datastax.oss.protocol.internal.request.query.QueryOptions;
import com.datastax.oss.protocol.internal.response.Error;
import com.datastax.oss.protocol.internal.response.result.Prepared;
import io.ferry.proxy.Proxy;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.common.ReadMode;
import io.ferry.proxy.routing.Router;
import io.ferry.proxy.scripted.RawCqlClient;
import io.ferry.proxy.scripted.ScriptedCqlServer;
import io.ferry.proxy.scripted.ScriptedMigration;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code read_mode} switched at runtime (as the admin API's {@code PUT /proxy/routing} does) starts
 * and stops mirroring reads to the secondary cluster, on client connections opened before the
 * switch, as the secondary's own record of its requests shows.
 */
class ReadModeSwitchTest {

  private ScriptedMigration migration;
  private ScriptedCqlServer origin;
  private ScriptedCqlServer target;
  private Proxy proxy;
  private RawCqlClient client;
  private int streamId;

  @BeforeEach
  void start() throws Exception {
    migration =
        ScriptedMigration.start(
            "127.0.0.143",
            "127.0.0.144",
            Map.of("ZDM_PRIMARY_CLUSTER", "ORIGIN", "ZDM_READ_MODE", "PRIMARY_ONLY"));
    origin = migration.origin;
    target = migration.target;
    proxy = migration.proxy;
    client = migration.readyClient();
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    migration.close();
  }

  @Test
  void should_start_and_stop_mirroring_reads_to_the_secondary_when_read_mode_switches()
      throws Exception {
    // given reads with PRIMARY_ONLY reach origin only
    read("SELECT * FROM ks.before_switch WHERE k = 1");
    assertNeverReachesTarget("ks.before_switch");
    assertThat(queriesOn(origin, "ks.before_switch")).isEqualTo(1);

    // when read_mode switches to DUAL_ASYNC_ON_SECONDARY
    router().setReadMode(ReadMode.DUAL_ASYNC_ON_SECONDARY);

    // then reads are mirrored to target (the first ones may be dropped while the mirror connects)
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              read("SELECT * FROM ks.dual WHERE k = 1");
              assertThat(queriesOn(target, "ks.dual")).isPositive();
            });

    // and when it switches back to PRIMARY_ONLY
    router().setReadMode(ReadMode.PRIMARY_ONLY);

    // then reads reach origin only again
    for (int i = 0; i < 10; i++) {
      read("SELECT * FROM ks.after_switch WHERE k = 1");
    }
    assertNeverReachesTarget("ks.after_switch");
    assertThat(queriesOn(origin, "ks.after_switch")).isEqualTo(10);
  }

  @Test
  void should_start_and_stop_mirroring_executions_of_a_read_prepared_before_the_switch()
      throws Exception {
    // given a read prepared while read_mode is PRIMARY_ONLY, whose executions reach origin only
    String select = "SELECT * FROM ks.prepared WHERE k = 1";
    byte[] id = prepare(select);
    execute(id);
    assertThat(executionsOn(target, target.preparedId(select))).isZero();

    // when read_mode switches to DUAL_ASYNC_ON_SECONDARY
    router().setReadMode(ReadMode.DUAL_ASYNC_ON_SECONDARY);

    // then its executions are mirrored to target, with target's id for the statement
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              execute(id);
              assertThat(executionsOn(target, target.preparedId(select))).isPositive();
            });
    assertThat(target.executedQueries()).containsOnly(select);

    // and when it switches back to PRIMARY_ONLY, they stop
    router().setReadMode(ReadMode.PRIMARY_ONLY);
    long mirrored = executionsOn(target, target.preparedId(select));
    long onOrigin = executionsOn(origin, id);
    for (int i = 0; i < 10; i++) {
      execute(id);
    }
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> executionsOn(target, target.preparedId(select)) == mirrored);
    assertThat(executionsOn(origin, id)).isEqualTo(onOrigin + 10);
  }

  @Test
  void should_mirror_reads_to_origin_once_the_primary_cluster_switches_to_target()
      throws Exception {
    // given reads mirrored to target
    router().setReadMode(ReadMode.DUAL_ASYNC_ON_SECONDARY);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              read("SELECT * FROM ks.origin_primary WHERE k = 1");
              assertThat(queriesOn(target, "ks.origin_primary")).isPositive();
            });

    // when the primary cluster switches to target
    router().setPrimary(ClusterRole.TARGET);

    // then reads are mirrored to origin, the new secondary
    AtomicInteger reads = new AtomicInteger();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              read("SELECT * FROM ks.target_primary WHERE k = 1");
              reads.incrementAndGet();
              assertThat(queriesOn(origin, "ks.target_primary")).isPositive();
            });
    // and target, the new primary, served every one
    assertThat(queriesOn(target, "ks.target_primary")).isEqualTo(reads.get());
  }

  /**
   * Ferry's routing switches, as the admin API's {@code PUT /proxy/routing} reaches them (see
   * {@code FerryServer}).
   */
  private Router router() {
    return proxy.context().router();
  }

  private void read(String query) throws IOException {
    client.send(4, nextStreamId(), new Query(query));
    Frame answer = client.receive();
    assertThat(answer.message).isNotInstanceOf(Error.class);
  }

  private byte[] prepare(String query) throws IOException {
    client.send(4, nextStreamId(), new Prepare(query));
    return ((Prepared) client.receive().message).preparedQueryId;
  }

  private void execute(byte[] id) throws IOException {
    client.send(4, nextStreamId(), new Execute(id, QueryOptions.DEFAULT));
    assertThat(client.receive().message).isNotInstanceOf(Error.class);
  }

  private int nextStreamId() {
    streamId = (streamId + 1) % 1000;
    return streamId;
  }

  /** Mirrored reads are sent after the client's answer: give the late ones time to show. */
  private void assertNeverReachesTarget(String table) {
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> queriesOn(target, table) == 0);
  }

  private static long queriesOn(ScriptedCqlServer server, String table) {
    return server.received(ProtocolConstants.Opcode.QUERY).stream()
        .filter(request -> ((Query) request.message()).query.contains(table))
        .count();
  }

  private static long executionsOn(ScriptedCqlServer server, byte[] id) {
    return server.received(ProtocolConstants.Opcode.EXECUTE).stream()
        .filter(request -> Arrays.equals(((Execute) request.message()).queryId, id))
        .count();
  }
}
