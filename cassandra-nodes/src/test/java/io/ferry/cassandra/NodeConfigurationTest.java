package io.ferry.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigurationTest {

  private static final Path DIRECTORY = Path.of("/tmp/ferry/origin");
  private static final CassandraDistribution DISTRIBUTION =
      new CassandraDistribution(
          "5.0.6",
          List.of(
              Path.of("/m2/org/apache/cassandra/cassandra-all-5.0.6.jar"),
              Path.of("/m2/com/github/jbellis/jamm/0.4.0/jamm-0.4.0.jar")));

  @Test
  void should_render_the_recipe_settings_for_a_node() {
    // given
    NodeSpec spec = NodeSpec.builder("127.0.0.2", "origin", DIRECTORY).build();

    // when
    String yaml = NodeConfiguration.cassandraYaml(spec);

    // then
    assertThat(yaml)
        .contains("cluster_name: 'origin'\n")
        .contains("num_tokens: 1\n")
        .doesNotContain("initial_token")
        .contains("auto_bootstrap: false\n")
        .contains("partitioner: org.apache.cassandra.dht.Murmur3Partitioner\n")
        .contains("endpoint_snitch: SimpleSnitch\n")
        .contains(
            "seed_provider:\n"
                + "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n"
                + "    parameters:\n"
                + "      - seeds: '127.0.0.2:7000'\n")
        .contains("listen_address: 127.0.0.2\n")
        .contains("rpc_address: 127.0.0.2\n")
        .contains("native_transport_port: 9042\n")
        .contains("storage_port: 7000\n")
        .contains("data_file_directories:\n  - '/tmp/ferry/origin/data'\n")
        .contains("commitlog_directory: '/tmp/ferry/origin/commitlog'\n")
        .contains("authenticator: AllowAllAuthenticator\n");
  }

  @Test
  void should_replace_a_default_setting_in_place_when_overridden() {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.2", "origin", DIRECTORY)
            .yaml("authenticator", "PasswordAuthenticator")
            .yaml("authorizer", "CassandraAuthorizer")
            .build();

    // when
    String yaml = NodeConfiguration.cassandraYaml(spec);

    // then
    assertThat(yaml)
        .contains("authenticator: PasswordAuthenticator\nauthorizer: CassandraAuthorizer\n")
        .doesNotContain("AllowAllAuthenticator")
        .doesNotContain("AllowAllAuthorizer");
    assertThat(yaml.lines().filter(line -> line.startsWith("authenticator:"))).hasSize(1);
  }

  @Test
  void should_append_a_setting_without_default_and_keep_its_multi_line_value() {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.2", "origin", DIRECTORY)
            .yaml("client_encryption_options", "\n  enabled: false")
            .build();

    // when
    String yaml = NodeConfiguration.cassandraYaml(spec);

    // then
    assertThat(yaml).endsWith("client_encryption_options:\n  enabled: false\n");
  }

  @Test
  void should_render_every_seed_and_the_initial_token_of_a_preassigned_cluster() {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.4", "it's a cluster", DIRECTORY)
            .seeds(List.of("127.0.0.4:7000", "127.0.0.5:7000"))
            .initialToken("-9223372036854775808")
            .build();

    // when
    String yaml = NodeConfiguration.cassandraYaml(spec);

    // then
    assertThat(yaml)
        .contains("cluster_name: 'it''s a cluster'\n")
        .contains("initial_token: -9223372036854775808\n")
        .contains("      - seeds: '127.0.0.4:7000,127.0.0.5:7000'\n");
  }

  @Test
  void should_bind_the_jdk_jmx_agent_to_the_node_address() {
    // given
    NodeSpec spec = NodeSpec.builder("127.0.0.3", "target", DIRECTORY).build();

    // when
    List<String> options = NodeConfiguration.jvmOptions(DISTRIBUTION, spec);

    // then
    assertThat(options)
        .contains(
            "-Dcom.sun.management.jmxremote.port=7199",
            "-Dcom.sun.management.jmxremote.rmi.port=7199",
            "-Dcom.sun.management.jmxremote.host=127.0.0.3",
            "-Djava.rmi.server.hostname=127.0.0.3")
        .noneMatch(option -> option.startsWith("-Dcassandra.jmx."));
  }

  @Test
  void should_leave_out_jmx_when_disabled() {
    // given
    NodeSpec spec = NodeSpec.builder("127.0.0.3", "target", DIRECTORY).jmxEnabled(false).build();

    // when
    List<String> options = NodeConfiguration.jvmOptions(DISTRIBUTION, spec);

    // then
    assertThat(options).noneMatch(option -> option.contains("jmxremote"));
  }

  @Test
  void should_size_the_heap_load_jamm_and_start_fast() {
    // given
    NodeSpec spec = NodeSpec.builder("127.0.0.2", "origin", DIRECTORY).build();

    // when
    List<String> options = NodeConfiguration.jvmOptions(DISTRIBUTION, spec);

    // then
    assertThat(options)
        .startsWith("-Xms64m", "-Xmx512m")
        .contains(
            "-javaagent:/m2/com/github/jbellis/jamm/0.4.0/jamm-0.4.0.jar",
            "-Dcassandra.config=file:///tmp/ferry/origin/conf/cassandra.yaml",
            "-Dcassandra.logdir=/tmp/ferry/origin/logs",
            "-Dcassandra-foreground=yes",
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            "-Dcassandra.ring_delay_ms=1000",
            "-Dcassandra.superuser_setup_delay_ms=0",
            "-Dcassandra.skip_sync=true");
  }

  @Test
  void should_wait_the_long_ring_delay_when_joining_with_streaming() {
    // given
    NodeSpec spec = NodeSpec.builder("127.0.0.4", "origin", DIRECTORY).autoBootstrap(true).build();

    // when
    List<String> options = NodeConfiguration.jvmOptions(DISTRIBUTION, spec);

    // then
    assertThat(options).contains("-Dcassandra.ring_delay_ms=10000");
  }

  @Test
  void should_append_extra_jvm_options_last_so_that_they_win() {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.2", "origin", DIRECTORY)
            .addJvmOptions("-XX:+UseSerialGC", "-Xmx256m")
            .build();

    // when
    List<String> options = NodeConfiguration.jvmOptions(DISTRIBUTION, spec);

    // then
    assertThat(options).endsWith("-XX:+UseSerialGC", "-Xmx256m");
  }

  @Test
  void should_leave_out_the_default_collector_when_extra_options_choose_one() {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.2", "origin", DIRECTORY)
            .addJvmOptions("-XX:+UseSerialGC")
            .build();

    // when
    List<String> options = NodeConfiguration.jvmOptions(DISTRIBUTION, spec);

    // then
    assertThat(options)
        .contains("-XX:+UseSerialGC")
        .doesNotContain("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=300");
  }

  @Test
  void should_collect_garbage_with_g1_by_default() {
    // given
    NodeSpec spec = NodeSpec.builder("127.0.0.2", "origin", DIRECTORY).build();

    // when
    List<String> options = NodeConfiguration.jvmOptions(DISTRIBUTION, spec);

    // then
    assertThat(options).contains("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=300");
  }

  @Test
  void should_launch_the_main_class_with_an_argument_file_in_the_node_directory() {
    // given
    NodeSpec spec = NodeSpec.builder("127.0.0.2", "origin", DIRECTORY).build();

    // when
    List<String> command = NodeConfiguration.command(Path.of("/jdk/bin/java"), spec);

    // then
    assertThat(command)
        .containsExactly(
            "/jdk/bin/java",
            "@/tmp/ferry/origin/conf/java-arguments.txt",
            "org.apache.cassandra.service.CassandraDaemon");
  }

  @Test
  void should_launch_a_node_of_a_network_namespace_through_ip_netns_exec() {
    // given
    NodeSpec spec =
        NodeSpec.builder("10.231.0.2", "target", DIRECTORY).networkNamespace("faults").build();

    // when
    List<String> command = NodeConfiguration.command(Path.of("/jdk/bin/java"), spec);

    // then
    assertThat(command)
        .containsExactly(
            "ip",
            "netns",
            "exec",
            "faults",
            "/jdk/bin/java",
            "@/tmp/ferry/origin/conf/java-arguments.txt",
            "org.apache.cassandra.service.CassandraDaemon");
  }

  @Test
  void should_write_one_quoted_argument_per_line_with_the_configuration_first_on_the_classpath() {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.2", "origin", DIRECTORY)
            .addJvmOptions("-Dquoted=\"a b\" c:\\d")
            .build();

    // when
    List<String> lines = NodeConfiguration.javaArguments(DISTRIBUTION, spec).lines().toList();

    // then
    assertThat(lines).first().isEqualTo("\"-Xms64m\"");
    assertThat(lines).contains("\"-Dquoted=\\\"a b\\\" c:\\\\d\"");
    assertThat(lines)
        .endsWith(
            "\"-cp\"",
            "\"/tmp/ferry/origin/conf:/m2/org/apache/cassandra/cassandra-all-5.0.6.jar"
                + ":/m2/com/github/jbellis/jamm/0.4.0/jamm-0.4.0.jar\"");
  }
}
