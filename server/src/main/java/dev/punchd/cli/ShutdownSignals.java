package dev.punchd.cli;

import java.util.List;
import sun.misc.Signal;

/**
 * Routes SIGTERM and SIGINT to punchd's graceful shutdown. The JVM's own handling would run shutdown hooks
 * and then exit with 143 or 130; handling the signals here lets the main thread finish the shutdown and
 * exit 0, which tells supervisors (Kubernetes, systemd) that the stop was clean. Stateless.
 */
final class ShutdownSignals {
  private static final List<String> SIGNALS = List.of("TERM", "INT");

  private ShutdownSignals() {}

  /** Runs {@code shutdown} on a signal thread for each SIGTERM or SIGINT; it must be idempotent. */
  static void install(Runnable shutdown) {
    for (String name : SIGNALS) {
      Signal.handle(new Signal(name), signal -> shutdown.run());
    }
  }
}
