package io.ferry.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Applies {@code ferry.log-level} (ZDM_LOG_LEVEL) and {@code ferry.log-format} to Logback. */
final class Logging {

  /** How each log event is written. */
  enum Format {
    TEXT,
    JSON
  }

  private Logging() {}

  /**
   * Parses a ZDM log level.
   *
   * @throws IllegalArgumentException for an unknown level
   */
  static Level parseLevel(String text) {
    return switch (text.trim().toUpperCase(Locale.ROOT)) {
      case "PANIC", "FATAL", "ERROR" -> Level.ERROR;
      case "WARN", "WARNING" -> Level.WARN;
      case "INFO" -> Level.INFO;
      case "DEBUG" -> Level.DEBUG;
      case "TRACE" -> Level.TRACE;
      default -> throw new IllegalArgumentException("unknown log level " + text);
    };
  }

  static void apply(Level level, Format format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.getLogger("io.ferry").setLevel(level);
    if (format == Format.JSON) {
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      for (Iterator<Appender<ILoggingEvent>> appenders = root.iteratorForAppenders();
          appenders.hasNext(); ) {
        if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
          JsonEncoder encoder = new JsonEncoder();
          encoder.setContext(context);
          // One self-contained line per event: the formatted message, not Logback's default of a
          // pattern plus its arguments; no per-line context or sequence noise.
          encoder.setWithFormattedMessage(true);
          encoder.setWithMessage(false);
          encoder.setWithArguments(false);
          encoder.setWithContext(false);
          encoder.setWithSequenceNumber(false);
          encoder.setWithNanoseconds(false);
          encoder.start();
          appender.stop();
          appender.setEncoder(encoder);
          appender.start();
        }
      }
    }
  }
}
