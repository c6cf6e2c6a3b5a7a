package dev.portico.gateway.support;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a test or lifecycle method runs past its timeout (junit-platform.properties), prints every
 * thread's stack to stderr before the failure propagates: a hang on a CI machine is then
 * diagnosable from the report alone (which event loop was blocked, what the test thread awaited).
 */
public final class ThreadDumpOnTimeout
    implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    dumpIfTimedOut(context, throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    dumpIfTimedOut(context, throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(
      ExtensionContext context, Throwable throwable) throws Throwable {
    dumpIfTimedOut(context, throwable);
    throw throwable;
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    dumpIfTimedOut(context, throwable);
    throw throwable;
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    dumpIfTimedOut(context, throwable);
    throw throwable;
  }

  private static void dumpIfTimedOut(ExtensionContext context, Throwable throwable) {
    if (!(throwable instanceof TimeoutException)) {
      return;
    }
    StringBuilder dump =
        new StringBuilder("=== ").append(context.getDisplayName()).append(" timed out; threads:\n");
    for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      dump.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
      if (t.getLockName() != null) {
        dump.append(" on ").append(t.getLockName());
      }
      if (t.getLockOwnerName() != null) {
        dump.append(" held by \"").append(t.getLockOwnerName()).append('"');
      }
      dump.append('\n');
      for (StackTraceElement e : t.getStackTrace()) {
        dump.append("    at ").append(e).append('\n');
      }
    }
    System.err.print(dump);
  }
}
