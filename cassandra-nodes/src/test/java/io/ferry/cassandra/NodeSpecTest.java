package io.ferry.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSpecTest {

  private static final Path DIRECTORY = Path.of("/tmp/ferry-node");

  @Test
  void should_apply_defaults_when_only_address_cluster_and_directory_are_given() {
    // given
    NodeSpec.Builder builder = NodeSpec.builder("127.0.0.2", "origin", DIRECTORY);

    // when
    NodeSpec spec = builder.build();

    // then
    assertThat(spec.seeds()).containsExactly("127.0.0.2:7000");
    assertThat(spec.initialToken()).isEmpty();
    assertThat(spec.initialHeapSize()).isEqualTo("64m");
    assertThat(spec.maximumHeapSize()).isEqualTo("512m");
    assertThat(spec.jmxEnabled()).isTrue();
    assertThat(spec.jmxPort()).isEqualTo(7199);
    assertThat(spec.nativePort()).isEqualTo(9042);
    assertThat(spec.storagePort()).isEqualTo(7000);
    assertThat(spec.autoBootstrap()).isFalse();
    assertThat(spec.extraJvmOptions()).isEmpty();
    assertThat(spec.extraYaml()).isEmpty();
    assertThat(spec.fresh()).isFalse();
  }

  @Test
  void should_make_the_directory_absolute() {
    // when
    NodeSpec spec = NodeSpec.builder("127.0.0.2", "origin", Path.of("nodes/../origin")).build();

    // then
    assertThat(spec.directory()).isEqualTo(Path.of("").toAbsolutePath().resolve("origin"));
  }

  @Test
  void should_keep_every_value_when_copied_through_a_builder() {
    // given
    NodeSpec spec =
        NodeSpec.builder("127.0.0.4", "cluster", DIRECTORY)
            .seeds(List.of("127.0.0.4:7000", "127.0.0.5:7000"))
            .initialToken("-9223372036854775808")
            .heap("128m", "1g")
            .jmxEnabled(false)
            .autoBootstrap(true)
            .addJvmOptions("-XX:+UseSerialGC")
            .yaml("authenticator", "PasswordAuthenticator")
            .fresh(true)
            .networkNamespace("faults")
            .build();

    // when
    NodeSpec copy = spec.toBuilder().build();

    // then
    assertThat(copy).isEqualTo(spec);
  }

  @Test
  void should_reject_an_address_outside_the_loopback_network() {
    assertThatThrownBy(() -> NodeSpec.builder("10.0.0.1", "origin", DIRECTORY).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("address: '10.0.0.1' (expected: an IPv4 loopback address in 127.0.0.0/8)");
  }

  @Test
  void should_accept_a_private_address_for_a_node_in_a_network_namespace() {
    // when
    NodeSpec spec =
        NodeSpec.builder("10.231.0.2", "target", DIRECTORY).networkNamespace("faults").build();

    // then
    assertThat(spec.address()).isEqualTo("10.231.0.2");
    assertThat(spec.networkNamespace()).contains("faults");
  }

  @Test
  void should_reject_a_public_address_even_in_a_network_namespace() {
    assertThatThrownBy(
            () ->
                NodeSpec.builder("8.8.8.8", "target", DIRECTORY).networkNamespace("faults").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "address: '8.8.8.8' (expected: an IPv4 loopback address in 127.0.0.0/8, or a private"
                + " IPv4 address of the node's network namespace)");
  }

  @Test
  void should_reject_a_network_namespace_name_that_ip_netns_would_misread() {
    assertThatThrownBy(
            () ->
                NodeSpec.builder("10.231.0.2", "target", DIRECTORY)
                    .networkNamespace("../etc")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("network namespace: '../etc'");
  }

  @Test
  void should_reject_a_host_name_rather_than_resolve_it() {
    assertThatThrownBy(() -> NodeSpec.builder("localhost", "origin", DIRECTORY).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'localhost'");
  }

  @Test
  void should_reject_a_malformed_heap_size() {
    assertThatThrownBy(
            () -> NodeSpec.builder("127.0.0.2", "origin", DIRECTORY).heap("64m", "lots").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maximum heap size: 'lots' (expected: a JVM size such as 512m or 1g)");
  }

  @Test
  void should_reject_a_port_out_of_range() {
    assertThatThrownBy(
            () -> NodeSpec.builder("127.0.0.2", "origin", DIRECTORY).nativePort(70000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("native port: 70000 (expected: 1..65535)");
  }

  @Test
  void should_reject_a_yaml_key_that_is_not_a_top_level_key() {
    assertThatThrownBy(
            () ->
                new NodeSpec(
                    "127.0.0.2",
                    "origin",
                    DIRECTORY,
                    List.of("127.0.0.2:7000"),
                    java.util.Optional.empty(),
                    "64m",
                    "512m",
                    true,
                    7199,
                    9042,
                    7000,
                    false,
                    List.of(),
                    Map.of("seed_provider.parameters", "x"),
                    false,
                    java.util.Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cassandra.yaml key: 'seed_provider.parameters'");
  }
}
