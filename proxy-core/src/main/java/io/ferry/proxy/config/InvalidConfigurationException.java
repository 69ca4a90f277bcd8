package io.ferry.proxy.config;

import java.util.List;

/**
 * The configuration cannot be used; each problem names the setting, its value and what was
 * expected.
 */
public final class InvalidConfigurationException extends RuntimeException {

  private final List<String> problems;

  public InvalidConfigurationException(List<String> problems) {
    super("Invalid configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
