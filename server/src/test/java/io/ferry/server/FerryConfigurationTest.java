package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.ferry.proxy.config.ConfigOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FerryConfigurationTest {

  @Test
  void should_declare_every_setting_of_every_module_once() {
    // given every module's reference.conf, merged as Ferry loads them (but without the JVM's
    // system properties, which defaultReference() lays over them: a build run with
    // -Dferry.it.origin-address would otherwise count as declaring a setting)
    List<String> settings =
        ConfigFactory.parseResources("reference.conf").resolve().entrySet().stream()
            .map(Map.Entry::getKey)
            .filter(path -> path.startsWith("ferry."))
            .toList();
    // when
    List<String> declared = FerryServer.OPTIONS.stream().map(ConfigOption::path).toList();
    // then
    assertThat(declared).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(settings);
  }

  @Test
  void should_give_each_environment_variable_to_one_setting() {
    // when
    Map<String, Long> owners =
        FerryServer.OPTIONS.stream()
            .filter(option -> option.environmentVariable() != null)
            .collect(
                Collectors.groupingBy(ConfigOption::environmentVariable, Collectors.counting()));
    // then
    assertThat(owners).allSatisfy((variable, count) -> assertThat(count).as(variable).isOne());
  }

  @Test
  void should_accept_zdm_log_levels_and_refuse_others() {
    assertThat(Logging.parseLevel("fatal")).isEqualTo(ch.qos.logback.classic.Level.ERROR);
    assertThat(Logging.parseLevel("DEBUG")).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Logging.parseLevel("LOUD"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
