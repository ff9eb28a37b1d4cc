package dev.punchd.engine;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides an attempt exactly once: either one candidate wins it or the deadline does. Thread-safe.
 */
final class Nomination {
  private final AtomicBoolean decided = new AtomicBoolean();

  /** Claims the decision; true for exactly one caller. */
  boolean tryWin() {
    return decided.compareAndSet(false, true);
  }

  boolean isDecided() {
    return decided.get();
  }
}
