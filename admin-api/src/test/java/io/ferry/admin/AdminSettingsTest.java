package io.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ferry.proxy.config.InvalidConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdminSettingsTest {

  private static Config config(Map<String, Object> settings) {
    return ConfigFactory.parseMap(settings).withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void should_refuse_a_non_loopback_admin_address_without_a_token() {
    // given
    Config exposed = config(Map.of("ferry.admin.address", "0.0.0.0"));
    // when / then
    assertThatThrownBy(() -> AdminSettings.from(exposed))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("ferry.admin.token")
        .hasMessageContaining("not a loopback address");
  }

  @Test
  void should_accept_a_non_loopback_admin_address_with_a_token_and_loopback_without() {
    // given
    Config withToken = config(Map.of("ferry.admin.address", "0.0.0.0", "ferry.admin.token", "t"));
    Config loopback = config(Map.of("ferry.admin.address", "127.0.0.2"));
    // when / then
    assertThat(AdminSettings.from(withToken).token()).isEqualTo("t");
    assertThat(AdminSettings.from(loopback).token()).isEmpty();
  }

  @Test
  void should_print_no_secret() {
    // given
    AdminSettings settings =
        AdminSettings.from(
            config(
                Map.of(
                    "ferry.admin.token", "admin-s3cret",
                    "ferry.admin.origin.jmx-username", "cassandra",
                    "ferry.admin.origin.jmx-password", "jmx-s3cret",
                    "ferry.admin.node-start-command", "sshpass -p ssh-s3cret ssh {ip} start")));
    // when
    String printed = settings.toString();
    // then
    assertThat(printed)
        .doesNotContain("s3cret")
        .contains("token=****")
        .contains("jmxUsername=cassandra")
        .contains("jmxPassword=****")
        .contains("startCommand=****")
        .contains("stopCommand=none");
    assertThat(settings.origin().toString()).doesNotContain("s3cret");
  }
}
