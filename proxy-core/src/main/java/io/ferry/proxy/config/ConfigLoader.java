package io.ferry.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Loads Ferry's configuration: environment variables over the optional config file over every
 * module's {@code reference.conf}.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /**
   * Loads and resolves the configuration.
   *
   * @param file the user's config file, or {@code null}
   * @param environment the process environment (only the variables named by {@code options} are
   *     read)
   * @param options every option that may be set from the environment
   * @throws InvalidConfigurationException naming each bad value and what was expected
   */
  public static Config load(
      Path file, Map<String, String> environment, Collection<? extends ConfigOption> options) {
    List<String> problems = new ArrayList<>();
    Config fromEnvironment = ConfigFactory.empty();
    for (ConfigOption option : options) {
      String variable = option.environmentVariable();
      if (variable == null || !environment.containsKey(variable)) {
        continue;
      }
      String text = environment.get(variable);
      try {
        Object value = option.environmentValue().convert(text);
        fromEnvironment =
            ConfigFactory.parseMap(Map.of(option.path(), value), "environment variable " + variable)
                .withFallback(fromEnvironment);
      } catch (IllegalArgumentException e) {
        problems.add(variable + "=" + quote(text) + ": " + e.getMessage());
      }
    }
    Config fromFile = ConfigFactory.empty();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        problems.add("config file " + file + " does not exist or is not a file");
      } else {
        try {
          fromFile = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults());
        } catch (ConfigException e) {
          problems.add("config file " + file + " cannot be parsed: " + e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigurationException(problems);
    }
    try {
      return fromEnvironment
          .withFallback(fromFile)
          .withFallback(ConfigFactory.defaultReference())
          .resolve();
    } catch (ConfigException e) {
      throw new InvalidConfigurationException(List.of(e.getMessage()));
    }
  }

  private static String quote(String text) {
    return "\"" + text + "\"";
  }
}
