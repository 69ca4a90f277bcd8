package io.ferry.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.metadata.Node;
import io.ferry.ansible.Fleet.PlaybookRun;
import io.ferry.testing.cassandra.CassandraClusters;
import io.ferry.testing.cassandra.WithCassandraClusters;
import io.ferry.testing.workload.Audit;
import io.ferry.testing.workload.Workload;
import io.ferry.testing.workload.WorkloadResult;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playbooks of {@code ansible/}, run with {@code ansible-playbook} against three Ferry hosts on
 * 127.0.0.11 to 127.0.0.13 (see {@link Fleet}) in front of real origin and target nodes: deploy, a
 * rolling update under a driver workload, a changed immutable variable, a host that does not come
 * back.
 */
@WithCassandraClusters
class FerryFleetIT {

  private static final String KEYSPACE = "ansible";
  private static final String TABLE = KEYSPACE + ".rolling_update";

  @Test
  void should_deploy_three_instances_that_announce_the_fleet_and_leave_them_running_when_rerun(
      CassandraClusters clusters, @TempDir Path directory) throws Exception {
    try (Fleet fleet = fleet(directory)) {
      // when
      PlaybookRun deploy = fleet.run("deploy_ferry.yml");

      // then every instance is ready
      assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
      Map<String, Long> pids = pids(fleet);
      for (String host : Fleet.HOSTS) {
        assertThat(fleet.readiness(host)).as("readiness of %s", host).isEqualTo(200);
        assertThat(pids.get(host)).as("pid of %s", host).isPositive();
      }
      // and a driver connected to one instance sees the three as the cluster, and is served
      try (CqlSession session = throughFleet()) {
        assertThat(session.getMetadata().getNodes().values())
            .extracting(node -> endpoint(node).getAddress().getHostAddress())
            .containsExactlyInAnyOrder("127.0.0.11", "127.0.0.12", "127.0.0.13");
        assertThat(session.execute("SELECT release_version FROM system.local").one()).isNotNull();
      }

      // when it runs again with nothing changed
      PlaybookRun again = fleet.run("deploy_ferry.yml");

      // then no instance restarts
      assertThat(again.exitCode()).as(again.toString()).isZero();
      assertThat(pids(fleet)).isEqualTo(pids);
    }
  }

  @Test
  void should_roll_a_mutable_setting_through_the_fleet_without_failing_a_client_request(
      CassandraClusters clusters, @TempDir Path directory) throws Exception {
    createTable();
    try (Fleet fleet = fleet(directory)) {
      // given a deployed fleet serving a steady load of writes and reads
      Map<String, Long> pidsBefore = deploy(fleet);
      PlaybookRun update;
      WorkloadResult load;
      try (CqlSession session = throughFleet()) {
        Workload workload =
            Workload.start(
                session,
                TABLE,
                0,
                new Workload.Settings(4, 2, Duration.ofMillis(20), Duration.ofSeconds(12)));
        Thread.sleep(2000);

        // when the primary cluster changes in vars/ and the rolling update runs
        fleet.setVariable("zdm_proxy_core_config.yml", "primary_cluster", "TARGET");
        update = fleet.run("rolling_update_ferry.yml");
        Thread.sleep(2000);
        load = workload.stop();
      }
      Audit audit;
      try (CqlSession origin = CassandraClusters.directSession(CassandraClusters.ORIGIN_ADDRESS);
          CqlSession target = CassandraClusters.directSession(CassandraClusters.TARGET_ADDRESS)) {
        audit = Audit.of(load, TABLE, origin, target);
      }

      // then it completes, every instance was restarted and reports the new primary
      assertThat(update.exitCode()).as(update.toString()).isZero();
      SoftAssertions softly = new SoftAssertions();
      Map<String, Long> pidsAfter = pids(fleet);
      for (String host : Fleet.HOSTS) {
        softly
            .assertThat(pidsAfter.get(host))
            .as("pid of %s", host)
            .isNotEqualTo(pidsBefore.get(host));
        softly
            .assertThat(fleet.routing(host).path("primary_cluster").asText())
            .as("primary cluster of %s", host)
            .isEqualTo("TARGET");
        softly
            .assertThat(fleet.configFile(host, "mutable.env"))
            .contains("ZDM_PRIMARY_CLUSTER=\"TARGET\"");
      }
      // and no client request failed or hung, and every acknowledged write is on both clusters
      String summary =
          String.format(
              "writes: %d attempted, %d acknowledged, %d failed, %d hung; reads: %d answered, %d"
                  + " failed, %d hung; slowest answer %d ms%n%s",
              load.attempted(),
              load.acknowledged(),
              load.failed(),
              load.hung(),
              load.reads(),
              load.readsFailed(),
              load.readsHung(),
              load.slowestAnswer().toMillis(),
              load.topErrors(5));
      System.out.println(summary);
      softly.assertThat(load.acknowledged()).as(summary).isPositive().isEqualTo(load.attempted());
      softly.assertThat(load.failed()).as(summary).isZero();
      softly.assertThat(load.hung()).as(summary).isZero();
      softly.assertThat(load.reads()).as(summary).isPositive();
      softly.assertThat(load.readsFailed()).as(summary).isZero();
      softly.assertThat(load.readsHung()).as(summary).isZero();
      softly
          .assertThat(audit.lost())
          .as("acknowledged writes missing: %s", audit.lostKeys())
          .isZero();
      softly.assertAll();
    }
  }

  @Test
  void should_report_a_changed_immutable_variable_and_touch_no_host(
      CassandraClusters clusters, @TempDir Path directory) throws Exception {
    try (Fleet fleet = fleet(directory)) {
      // given a deployed fleet
      Map<String, Long> pids = deploy(fleet);
      String immutable = fleet.configFile("ferry-1", "immutable.env");

      // when origin's port changes in vars/ with a mutable setting, and the rolling update runs
      fleet.setVariable("zdm_proxy_cluster_config.yml", "origin_port", "9043");
      fleet.setVariable("zdm_proxy_core_config.yml", "primary_cluster", "TARGET");
      PlaybookRun update = fleet.run("rolling_update_ferry.yml");

      // then it fails naming the variable and both values, and no host was touched
      assertThat(update.exitCode()).as(update.toString()).isNotZero();
      assertThat(update.output())
          .contains("Immutable settings changed in vars/")
          .contains(
              "origin_port (ZDM_ORIGIN_PORT): ferry-1 runs Ferry's default, vars/ now give \\\"9043\\\"")
          .doesNotContain("Drain and stop Ferry");
      assertThat(pids(fleet)).isEqualTo(pids);
      assertThat(fleet.configFile("ferry-1", "immutable.env")).isEqualTo(immutable);
      for (String host : Fleet.HOSTS) {
        assertThat(fleet.routing(host).path("primary_cluster").asText()).isEqualTo("ORIGIN");
      }
    }
  }

  @Test
  void should_stop_the_roll_out_at_a_host_that_does_not_become_ready(
      CassandraClusters clusters, @TempDir Path directory) throws Exception {
    try (Fleet fleet = fleet(directory)) {
      // given a deployed fleet
      Map<String, Long> pids = deploy(fleet);
      String lastHostSettings = fleet.configFile("ferry-3", "mutable.env");

      // when a rolling update gives the second host a value Ferry refuses at start-up
      fleet.setVariable("zdm_proxy_core_config.yml", "primary_cluster", "TARGET");
      fleet.setVariable("zdm_playbook_internal_config.yml", "ferry_readiness_retries", "15");
      fleet.setHostVariable("ferry-2", "zdm_proxy_max_stream_ids", "0");
      PlaybookRun update = fleet.run("rolling_update_ferry.yml");

      // then the roll-out fails at that host, saying why
      assertThat(update.exitCode()).as(update.toString()).isNotZero();
      assertThat(update.output())
          .contains("ferry-2: Ferry (ferry-2) is not ready 15 s after its start")
          .contains("ZDM_PROXY_MAX_STREAM_IDS");
      assertThat(fleet.readiness("ferry-2")).isNotEqualTo(200);
      // and the host before it runs the update
      assertThat(fleet.routing("ferry-1").path("primary_cluster").asText()).isEqualTo("TARGET");
      // and the host after it was left untouched
      assertThat(pids(fleet).get("ferry-3")).isEqualTo(pids.get("ferry-3"));
      assertThat(fleet.routing("ferry-3").path("primary_cluster").asText()).isEqualTo("ORIGIN");
      assertThat(fleet.configFile("ferry-3", "mutable.env")).isEqualTo(lastHostSettings);
    }
  }

  @Test
  void should_refuse_a_rolling_restart_that_would_undo_a_switch_made_through_the_admin_api(
      CassandraClusters clusters, @TempDir Path directory) throws Exception {
    try (Fleet fleet = fleet(directory)) {
      // given a deployed fleet whose second instance was switched to dual reads at runtime
      Map<String, Long> pids = deploy(fleet);
      fleet.switchRouting("ferry-2", "{\"read_mode\": \"DUAL_ASYNC_ON_SECONDARY\"}");

      // when a rolling restart runs
      PlaybookRun restart = fleet.run("rolling_restart_ferry.yml");

      // then it refuses, saying how to keep the switch, and restarts nothing
      assertThat(restart.exitCode()).as(restart.toString()).isNotZero();
      assertThat(restart.output())
          .contains(
              "ferry-2 runs with read_mode DUAL_ASYNC_ON_SECONDARY, switched through the admin API")
          .contains("Set read_mode: DUAL_ASYNC_ON_SECONDARY in vars/zdm_proxy_core_config.yml");
      assertThat(pids(fleet)).isEqualTo(pids);
    }
  }

  private static Fleet fleet(Path directory) throws Exception {
    return Fleet.create(
        directory, CassandraClusters.ORIGIN_ADDRESS, CassandraClusters.TARGET_ADDRESS);
  }

  /** Runs deploy_ferry.yml, which must succeed, and returns the pids of the instances. */
  private static Map<String, Long> deploy(Fleet fleet) throws Exception {
    PlaybookRun deploy = fleet.run("deploy_ferry.yml");
    assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
    return pids(fleet);
  }

  private static Map<String, Long> pids(Fleet fleet) throws Exception {
    Map<String, Long> pids = new LinkedHashMap<>();
    for (String host : Fleet.HOSTS) {
      pids.put(host, fleet.pid(host));
    }
    return pids;
  }

  /**
   * A driver session through the fleet, as an application has one: contact point the first host,
   * the others learnt from the topology Ferry announces. Its statements are idempotent, so that the
   * driver retries a request on another instance when the one it reached is draining (OVERLOADED)
   * or closes the connection.
   */
  private static CqlSession throughFleet() {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(Fleet.address("ferry-1"), Fleet.CQL_PORT))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(15))
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(100))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1))
                .build())
        .build();
  }

  private static void createTable() {
    for (String node :
        new String[] {CassandraClusters.ORIGIN_ADDRESS, CassandraClusters.TARGET_ADDRESS}) {
      try (CqlSession session = CassandraClusters.directSession(node)) {
        session.execute(
            "CREATE KEYSPACE IF NOT EXISTS "
                + KEYSPACE
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute(Workload.createTable(TABLE));
        session.execute("TRUNCATE " + TABLE);
      }
    }
  }

  private static InetSocketAddress endpoint(Node node) {
    return (InetSocketAddress) node.getEndPoint().resolve();
  }
}
