package dev.portico.gateway.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures every log event of the process (all loggers, DEBUG and up) while open. */
public final class LogCapture implements AutoCloseable {

  private final Logger root;
  private final Level previous;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    previous = root.getLevel();
    root.setLevel(Level.DEBUG);
    appender.setContext(ctx);
    appender.start();
    root.addAppender(appender);
  }

  /** Every captured event rendered as text: formatted message plus any stack trace. */
  public List<String> lines() {
    return List.copyOf(appender.list).stream()
        .map(
            e ->
                e.getLoggerName()
                    + " "
                    + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                        ? ""
                        : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())))
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(previous);
  }
}
