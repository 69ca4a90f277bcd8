package io.ferry.proxy.config;

/**
 * One setting: its path in {@code reference.conf}, the environment variable that may set it, and
 * how that variable's text is converted.
 *
 * <p>Implemented by the option enums of each module ({@link ProxyOption}, the admin API's options),
 * so that the loader knows every environment alias without a second list.
 */
public interface ConfigOption {

  /** The HOCON path, e.g. {@code ferry.proxy.max-stream-ids}. */
  String path();

  /** The environment variable that overrides this setting, or {@code null} if there is none. */
  String environmentVariable();

  /** How the environment variable's text becomes a configuration value. */
  EnvironmentValue environmentValue();
}
