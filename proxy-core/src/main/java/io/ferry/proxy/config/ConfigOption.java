package io.ferry.proxy.config;

/**
 * One setting: its path in {@code reference.conf}, the environment variable that may set it, and
 * how that variable's text is converted.
 *
 * <p>Implemented by the option enums of each module ({@link ProxyOption}, the admin API's options,
 * the server's), so that the loader knows every environment alias without a second list.
 */
public interface ConfigOption {

  /** The declaration of a setting. */
  record Definition(String path, String environmentVariable, EnvironmentValue environmentValue) {}

  Definition definition();

  /** The HOCON path, e.g. {@code ferry.proxy.max-stream-ids}. */
  default String path() {
    return definition().path();
  }

  /** The environment variable that overrides this setting, or {@code null} if there is none. */
  default String environmentVariable() {
    return definition().environmentVariable();
  }

  /**
   * How errors name the setting: its path, and its environment variable in parentheses if it has
   * one, e.g. {@code ferry.proxy.max-stream-ids (ZDM_PROXY_MAX_STREAM_IDS)}.
   */
  default String label() {
    return environmentVariable() == null ? path() : path() + " (" + environmentVariable() + ")";
  }

  /** How the environment variable's text becomes a configuration value. */
  default EnvironmentValue environmentValue() {
    return definition().environmentValue();
  }
}
