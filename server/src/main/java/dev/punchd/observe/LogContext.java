package dev.punchd.observe;

import org.slf4j.MDC;

/**
 * Puts the connection id into the SLF4J MDC (key {@value #CONNECTION_ID}) so that every log line written
 * on behalf of a connection carries it, whichever thread writes it. The MDC is per thread: a scope is
 * closed on the thread that opened it.
 */
public final class LogContext {
  /** MDC key of the connection id; JSON log lines carry it under {@code mdc}. */
  public static final String CONNECTION_ID = "connection_id";

  private LogContext() {}

  /** Restores the MDC entry a {@link #connection} call replaced. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** Sets the connection id until the scope closes; an empty or null id changes nothing. */
  public static Scope connection(String connectionId) {
    if (connectionId == null || connectionId.isEmpty()) {
      return () -> {};
    }
    String previous = MDC.get(CONNECTION_ID);
    MDC.put(CONNECTION_ID, connectionId);
    return previous == null ? () -> MDC.remove(CONNECTION_ID) : () -> MDC.put(CONNECTION_ID, previous);
  }

  /** {@code task}, running with the connection id set (for threads and timer tasks of a connection). */
  public static Runnable withConnection(String connectionId, Runnable task) {
    return () -> {
      try (Scope ignored = connection(connectionId)) {
        task.run();
      }
    };
  }
}
