package io.ferry.admin;

import io.ferry.proxy.config.ConfigOption;
import io.ferry.proxy.config.EnvironmentValue;

/**
 * The HTTP servers' settings, documented in the admin API's {@code reference.conf}: the admin API
 * (OpsCenter's port by default) and the metrics/health server (the ZDM Proxy's).
 */
public enum AdminOption implements ConfigOption {
  ADMIN_ADDRESS("ferry.admin.address", "FERRY_ADMIN_ADDRESS", EnvironmentValue.TEXT),
  ADMIN_PORT("ferry.admin.port", "FERRY_ADMIN_PORT", EnvironmentValue.INTEGER),
  METRICS_ADDRESS("ferry.metrics.address", "ZDM_METRICS_ADDRESS", EnvironmentValue.TEXT),
  METRICS_PORT("ferry.metrics.port", "ZDM_METRICS_PORT", EnvironmentValue.INTEGER);

  private final Definition definition;

  AdminOption(String path, String environmentVariable, EnvironmentValue environmentValue) {
    this.definition = new Definition(path, environmentVariable, environmentValue);
  }

  @Override
  public Definition definition() {
    return definition;
  }
}
