package io.ferry.server;

import io.ferry.proxy.config.ConfigOption;
import io.ferry.proxy.config.EnvironmentValue;

/** Settings of the Ferry process itself, documented in the server's {@code reference.conf}. */
public enum ServerOption implements ConfigOption {
  LOG_LEVEL("ferry.log-level", "ZDM_LOG_LEVEL", EnvironmentValue.TEXT),
  LOG_FORMAT("ferry.log-format", "FERRY_LOG_FORMAT", EnvironmentValue.TEXT);

  private final Definition definition;

  ServerOption(String path, String environmentVariable, EnvironmentValue environmentValue) {
    this.definition = new Definition(path, environmentVariable, environmentValue);
  }

  @Override
  public Definition definition() {
    return definition;
  }
}
