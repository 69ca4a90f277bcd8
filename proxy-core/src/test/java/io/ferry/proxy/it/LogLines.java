package io.ferry.proxy.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** The formatted log lines of a logger (and its children), while open. */
final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

  private LogLines(Logger logger, Level level) {
    this.logger = logger;
    this.previousLevel = logger.getLevel();
    if (level != null) {
      logger.setLevel(level);
    }
  }

  /** One class's log lines at the configured level. */
  static LogLines of(Class<?> type) {
    return attach(new LogLines((Logger) LoggerFactory.getLogger(type), null));
  }

  /** A logger's lines at {@code level} (restored on close), e.g. all of Ferry's at DEBUG. */
  static LogLines of(String loggerName, Level level) {
    return attach(new LogLines((Logger) LoggerFactory.getLogger(loggerName), level));
  }

  private static LogLines attach(LogLines appender) {
    appender.start();
    appender.logger.addAppender(appender);
    return appender;
  }

  List<String> lines() {
    return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** The lines logged at {@code level} or above. */
  List<String> lines(Level level) {
    return events.stream()
        .filter(event -> event.getLevel().isGreaterOrEqual(level))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Override
  protected void append(ILoggingEvent event) {
    events.add(event);
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    logger.setLevel(previousLevel);
    stop();
  }
}
