package io.ferry.proxy.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** The formatted log lines of a logger (and its children), while open. */
public final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  /** A line as logged: its level, its message and the stack trace of its exception, if any. */
  private record Line(Level level, String message, String stackTrace) {}

  private final Logger logger;
  private final Level previousLevel;
  private final List<Line> lines = new CopyOnWriteArrayList<>();

  private LogLines(Logger logger, Level level) {
    this.logger = logger;
    this.previousLevel = logger.getLevel();
    if (level != null) {
      logger.setLevel(level);
    }
  }

  /** One class's log lines at the configured level. */
  public static LogLines of(Class<?> type) {
    return attach(new LogLines((Logger) LoggerFactory.getLogger(type), null));
  }

  /** A logger's lines at {@code level} (restored on close), e.g. all of Ferry's at DEBUG. */
  public static LogLines of(String loggerName, Level level) {
    return attach(new LogLines((Logger) LoggerFactory.getLogger(loggerName), level));
  }

  private static LogLines attach(LogLines appender) {
    appender.start();
    appender.logger.addAppender(appender);
    return appender;
  }

  /** The messages logged. */
  public List<String> lines() {
    return lines.stream().map(Line::message).toList();
  }

  /**
   * The messages logged at {@code level} or above, each followed by the stack trace of its
   * exception (messages of causes included), if it has one.
   */
  public List<String> linesAtOrAbove(Level level) {
    return lines.stream()
        .filter(line -> line.level().isGreaterOrEqual(level))
        .map(line -> line.message() + line.stackTrace())
        .toList();
  }

  /** The messages logged at {@code level} or above, without stack traces. */
  public List<String> lines(Level level) {
    return lines.stream()
        .filter(line -> line.level().isGreaterOrEqual(level))
        .map(Line::message)
        .toList();
  }

  /** Forgets the lines logged so far. */
  public void clear() {
    lines.clear();
  }

  @Override
  protected void append(ILoggingEvent event) {
    String stackTrace =
        event.getThrowableProxy() == null
            ? ""
            : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
    lines.add(new Line(event.getLevel(), event.getFormattedMessage(), stackTrace));
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    logger.setLevel(previousLevel);
    stop();
  }
}
