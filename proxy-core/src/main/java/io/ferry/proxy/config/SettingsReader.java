package io.ferry.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads typed, validated values from a resolved {@link Config}, collecting every problem instead of
 * stopping at the first, so that one start-up attempt reports all of them.
 *
 * <p>Each problem reads {@code <path> = <value> (<where it came from>): expected <what>}.
 */
public final class SettingsReader {

  private final Config config;
  private final List<String> problems = new ArrayList<>();

  public SettingsReader(Config config) {
    this.config = config;
  }

  public String text(ConfigOption option) {
    return read(option, () -> config.getString(option.path()), "a text value", "");
  }

  public boolean bool(ConfigOption option) {
    return read(option, () -> config.getBoolean(option.path()), "true or false", false);
  }

  public List<String> list(ConfigOption option) {
    return read(
        option, () -> config.getStringList(option.path()), "a list of text values", List.of());
  }

  public int integer(ConfigOption option, int min, int max) {
    Integer value =
        read(option, () -> config.getInt(option.path()), "an integer in " + min + ".." + max, null);
    if (value == null) {
      return min;
    }
    if (value < min || value > max) {
      problem(option, "expected an integer in " + min + ".." + max);
      return min;
    }
    return value;
  }

  public double decimal(ConfigOption option, double min) {
    Double value =
        read(option, () -> config.getDouble(option.path()), "a number of at least " + min, null);
    if (value == null) {
      return min;
    }
    if (value < min) {
      problem(option, "expected a number of at least " + min);
      return min;
    }
    return value;
  }

  public Duration duration(ConfigOption option, Duration min) {
    String expected = "a duration of at least " + min.toMillis() + "ms, e.g. 10 seconds";
    Duration value = read(option, () -> config.getDuration(option.path()), expected, null);
    if (value == null) {
      return min;
    }
    if (value.compareTo(min) < 0) {
      problem(option, "expected " + expected);
      return min;
    }
    return value;
  }

  /**
   * A non-empty, strictly increasing list of positive durations (a bare number is milliseconds).
   */
  public List<Duration> increasingDurations(ConfigOption option) {
    String expected = "a non-empty list of increasing durations, e.g. [1, 4, 7] (milliseconds)";
    List<Duration> values =
        read(option, () -> config.getDurationList(option.path()), expected, List.of());
    boolean increasing =
        !values.isEmpty() && !values.get(0).isNegative() && !values.get(0).isZero();
    for (int i = 1; i < values.size() && increasing; i++) {
      increasing = values.get(i).compareTo(values.get(i - 1)) > 0;
    }
    if (!increasing) {
      problem(option, "expected " + expected);
      return List.of(Duration.ofMillis(1));
    }
    return values;
  }

  public long bytes(ConfigOption option, long min, long max) {
    String expected = "a size in bytes in " + min + ".." + max + ", e.g. 256 MiB";
    Long value = read(option, () -> config.getBytes(option.path()), expected, null);
    if (value == null) {
      return min;
    }
    if (value < min || value > max) {
      problem(option, "expected " + expected);
      return min;
    }
    return value;
  }

  /**
   * An optional file: an empty value means none ({@code null}); otherwise a file that exists and
   * Ferry may read.
   *
   * @param what what the file holds, for the problem, e.g. {@code "PEM certificate file"}
   */
  public Path file(ConfigOption option, String what) {
    String text = text(option).trim();
    if (text.isEmpty()) {
      return null;
    }
    Path path;
    try {
      path = Path.of(text);
    } catch (InvalidPathException e) {
      problem(option, "expected the path of a " + what + ", but it is not a valid path");
      return null;
    }
    String unusable =
        !Files.exists(path)
            ? "it does not exist"
            : Files.isDirectory(path)
                ? "it is a directory"
                : !Files.isReadable(path) ? "Ferry may not read it (file permissions)" : null;
    if (unusable != null) {
      problem(option, "expected a readable " + what + ", but " + unusable);
      return null;
    }
    return path;
  }

  /** An enum constant, matched case-insensitively by name. */
  public <E extends Enum<E>> E choice(ConfigOption option, Class<E> type, E fallback) {
    return parsed(
        option,
        text -> Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT)),
        "one of " + List.of(type.getEnumConstants()),
        fallback);
  }

  /**
   * A text value converted by {@code parser}, which throws {@link IllegalArgumentException} for
   * values it does not accept.
   */
  public <T> T parsed(
      ConfigOption option, Function<String, T> parser, String expected, T fallback) {
    String text = read(option, () -> config.getString(option.path()), expected, null);
    if (text == null) {
      return fallback;
    }
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      problem(option, "expected " + expected);
      return fallback;
    }
  }

  /** Records a problem with the current value of {@code option}. */
  public void problem(ConfigOption option, String explanation) {
    problems.add(describe(option) + ": " + explanation);
  }

  /** Throws if any value was invalid. */
  public void throwIfInvalid() {
    if (!problems.isEmpty()) {
      throw new InvalidConfigurationException(problems);
    }
  }

  private <T> T read(ConfigOption option, Reader<T> reader, String expected, T fallback) {
    try {
      return reader.read();
    } catch (ConfigException.Missing e) {
      problems.add(option.path() + " is missing: expected " + expected);
    } catch (ConfigException e) {
      problem(option, "expected " + expected);
    }
    return fallback;
  }

  private String describe(ConfigOption option) {
    String name = option.label();
    if (!config.hasPathOrNull(option.path())) {
      return name + " (missing)";
    }
    String value = config.getValue(option.path()).render();
    return name + " = " + value + " (" + source(config.getValue(option.path()).origin()) + ")";
  }

  private static String source(ConfigOrigin origin) {
    String description = origin.description();
    if (description.startsWith("environment variable")) {
      return "from " + description;
    }
    if (origin.resource() != null && origin.resource().endsWith("reference.conf")) {
      return "default";
    }
    return "from " + description;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read();
  }
}
