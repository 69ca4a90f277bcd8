package io.ferry.admin;

import com.typesafe.config.Config;
import io.ferry.proxy.config.SettingsReader;

/** Where Ferry's HTTP servers listen. */
public record AdminSettings(
    String adminAddress, int adminPort, String metricsAddress, int metricsPort) {

  /**
   * @throws io.ferry.proxy.config.InvalidConfigurationException listing every invalid value
   */
  public static AdminSettings from(Config config) {
    SettingsReader reader = new SettingsReader(config);
    AdminSettings settings =
        new AdminSettings(
            reader.text(AdminOption.ADMIN_ADDRESS),
            reader.integer(AdminOption.ADMIN_PORT, 0, 65535),
            reader.text(AdminOption.METRICS_ADDRESS),
            reader.integer(AdminOption.METRICS_PORT, 0, 65535));
    reader.throwIfInvalid();
    return settings;
  }
}
