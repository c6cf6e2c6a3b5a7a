package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogSetupTest {

  @Test
  void logbackIsSetUpAsTheXmlDid() {
    // no logback.xml on the class path: logback found LogSetup as a service and ran it
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(LogSetupTest.class.getClassLoader().getResource("logback.xml")).isNull();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Appender<ILoggingEvent> stdout = root.getAppender("STDOUT");
    assertThat(stdout).isInstanceOf(ConsoleAppender.class);
    ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) stdout;
    assertThat(console.getTarget()).isEqualTo("System.out");
    assertThat(console.isStarted()).isTrue();
    assertThat(((PatternLayoutEncoder) console.getEncoder()).getPattern())
        .isEqualTo("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n");
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("com.networknt").getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void theRootLevelIsReadAsLogbacksSubstitutionDid() {
    // ${PORTICO_LOG_LEVEL:-INFO}: the system property, then the variable, then INFO
    assertThat(LogSetup.rootLevel(null, null)).isEqualTo("INFO");
    assertThat(LogSetup.rootLevel(null, "WARN")).isEqualTo("WARN");
    assertThat(LogSetup.rootLevel("ERROR", "WARN")).isEqualTo("ERROR");
    // blank: the root keeps logback's default (DEBUG); a word naming no level is DEBUG too
    assertThat(LogSetup.rootLevel(null, " ")).isNull();
    assertThat(Level.toLevel(LogSetup.rootLevel(null, "chatty"))).isEqualTo(Level.DEBUG);
  }
}
