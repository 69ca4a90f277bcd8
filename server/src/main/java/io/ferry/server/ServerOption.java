package io.ferry.server;

import io.ferry.proxy.config.ConfigOption;
import io.ferry.proxy.config.EnvironmentValue;

/** Settings of the Ferry process itself, documented in the server's {@code reference.conf}. */
public enum ServerOption implements ConfigOption {
  LOG_LEVEL("ferry.log-level", "ZDM_LOG_LEVEL", EnvironmentValue.TEXT);

  private final String path;
  private final String environmentVariable;
  private final EnvironmentValue environmentValue;

  ServerOption(String path, String environmentVariable, EnvironmentValue environmentValue) {
    this.path = path;
    this.environmentVariable = environmentVariable;
    this.environmentValue = environmentValue;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String environmentVariable() {
    return environmentVariable;
  }

  @Override
  public EnvironmentValue environmentValue() {
    return environmentValue;
  }
}
