package dev.portico.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The gateway's logging set-up, in code rather than a {@code logback.xml}: reading that XML
 * (logback's Joran) cost the start-up ~0.3 s of the main thread. Logback finds this class through
 * {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}.
 *
 * <p>What the XML said: one console appender on standard output, pattern {@value #PATTERN}; {@code
 * io.netty} and {@code com.networknt} at {@code WARN}; the root level from {@code
 * PORTICO_LOG_LEVEL} (a system property of that name first, as logback's {@code ${...}} looked it
 * up, then the environment variable; {@code INFO} when neither is set, logback's default {@code
 * DEBUG} when it is blank, {@code DEBUG} when it names no level).
 *
 * <p>A logback configuration file given with {@code -Dlogback.configurationFile}, or a {@code
 * logback-test.xml} or {@code logback.xml} on the class path, still wins: logback reads it as
 * before.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {

  /** The console pattern. */
  public static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";

  /** The variable (or system property) setting the root level. */
  public static final String LEVEL_VARIABLE = "PORTICO_LOG_LEVEL";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ClassLoader loader = LogSetup.class.getClassLoader();
    if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null
        || loader.getResource(ContextInitializer.TEST_AUTOCONFIG_FILE) != null
        || loader.getResource(ContextInitializer.AUTOCONFIG_FILE) != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    console.start();
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("com.networknt").setLevel(Level.WARN);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    String level = rootLevel(System.getProperty(LEVEL_VARIABLE), System.getenv(LEVEL_VARIABLE));
    if (level != null) {
      root.setLevel(Level.toLevel(level));
    }
    root.addAppender(console);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * The root level's name, as {@code ${PORTICO_LOG_LEVEL:-INFO}} read it: the system property, else
   * the variable, else {@code INFO}; {@code null} (leave logback's default) when that is blank.
   */
  static String rootLevel(String property, String variable) {
    String v = property != null ? property : variable != null ? variable : "INFO";
    return v.isBlank() ? null : v.trim();
  }
}
