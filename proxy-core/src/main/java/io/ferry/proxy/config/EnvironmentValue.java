package io.ferry.proxy.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the text of an environment variable becomes a configuration value. The ZDM Proxy's variables
 * carry durations as integer milliseconds and lists as comma-separated text; Ferry keeps those
 * meanings so that an existing ZDM deployment's environment works unchanged.
 */
public enum EnvironmentValue {
  /** Taken as is. */
  TEXT {
    @Override
    Object convert(String text) {
      return text;
    }
  },
  /** A decimal integer. */
  INTEGER {
    @Override
    Object convert(String text) {
      try {
        return Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected an integer");
      }
    }
  },
  /** A decimal number. */
  DECIMAL {
    @Override
    Object convert(String text) {
      try {
        return Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a number");
      }
    }
  },
  /** {@code true} or {@code false}, case-insensitive. */
  BOOLEAN {
    @Override
    Object convert(String text) {
      String value = text.trim().toLowerCase(Locale.ROOT);
      if (value.equals("true")) {
        return Boolean.TRUE;
      }
      if (value.equals("false")) {
        return Boolean.FALSE;
      }
      throw new IllegalArgumentException("expected true or false");
    }
  },
  /** An integer number of milliseconds (the ZDM Proxy's {@code *_MS} variables). */
  MILLISECONDS {
    @Override
    Object convert(String text) {
      try {
        return Long.parseLong(text.trim()) + "ms";
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected an integer number of milliseconds");
      }
    }
  },
  /**
   * Comma-separated values; blanks around commas are ignored and an empty text is an empty list.
   */
  COMMA_SEPARATED_LIST {
    @Override
    Object convert(String text) {
      if (text.isBlank()) {
        return List.of();
      }
      return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
  };

  /**
   * Converts the text of a variable.
   *
   * @throws IllegalArgumentException whose message says what was expected
   */
  abstract Object convert(String text);
}
