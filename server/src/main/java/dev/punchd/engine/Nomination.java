package dev.punchd.engine;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Decides an attempt exactly once: either one candidate wins it or the deadline does. Remembers the thread
 * that won, so a candidate whose handshake fails after winning (e.g. NOMINATE could not be sent) is known
 * and the attempt reports that failure instead of staying undecided. Thread-safe.
 */
final class Nomination {
  private final AtomicReference<Thread> winner = new AtomicReference<>();

  /** Claims the decision for the calling thread; true for exactly one caller. */
  boolean tryWin() {
    return winner.compareAndSet(null, Thread.currentThread());
  }

  boolean isDecided() {
    return winner.get() != null;
  }

  /** Whether the calling thread is the one that won. */
  boolean wonByCurrentThread() {
    return winner.get() == Thread.currentThread();
  }
}
