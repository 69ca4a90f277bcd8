package io.ferry.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Applies {@code ferry.log-level} (ZDM_LOG_LEVEL) to Ferry's loggers. */
final class LogLevel {

  private LogLevel() {}

  /**
   * Parses a ZDM log level.
   *
   * @throws IllegalArgumentException for an unknown level
   */
  static Level parse(String text) {
    return switch (text.trim().toUpperCase(Locale.ROOT)) {
      case "PANIC", "FATAL", "ERROR" -> Level.ERROR;
      case "WARN", "WARNING" -> Level.WARN;
      case "INFO" -> Level.INFO;
      case "DEBUG" -> Level.DEBUG;
      case "TRACE" -> Level.TRACE;
      default -> throw new IllegalArgumentException("unknown log level " + text);
    };
  }

  static void apply(Level level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      Logger ferry = context.getLogger("io.ferry");
      ferry.setLevel(level);
    }
  }
}
