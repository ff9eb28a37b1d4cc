package dev.punchd.engine;

import java.util.concurrent.TimeUnit;

/**
 * Staggers the controlling side's TLS handshakes within one attempt: a candidate starts its handshake when
 * no other is running, or after waiting at most the stagger for the running ones. Peers reachable at several
 * addresses (IPv4 and IPv6, LAN and public) connect several candidates at nearly the same moment; one
 * handshake is enough, and running all of them at once made each slower on a busy machine (the TLS server's
 * work follows the client's, so this halves both sides' CPU with two candidates). A slow or silent first
 * candidate delays the next by the stagger at most. Thread-safe.
 */
final class HandshakeStagger {
  /** Long enough for a loopback or LAN handshake to finish, short next to a slow path's round trips. */
  static final long STAGGER_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final long staggerNanos;
  private int running; // guarded by this

  HandshakeStagger() {
    this(STAGGER_NANOS);
  }

  HandshakeStagger(long staggerNanos) {
    this.staggerNanos = staggerNanos;
  }

  /**
   * Waits until no other handshake runs, the stagger has passed, or the attempt is decided, then counts this
   * candidate's handshake as running: call {@link #finished()} after it when this returns true.
   *
   * @return false when the attempt was decided meanwhile (this candidate need not handshake; nothing to finish)
   */
  synchronized boolean awaitTurn(Nomination nomination) throws InterruptedException {
    long until = System.nanoTime() + staggerNanos;
    for (long left = staggerNanos; running > 0 && left > 0 && !nomination.isDecided();
        left = until - System.nanoTime()) {
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    if (nomination.isDecided()) {
      return false;
    }
    running++;
    return true;
  }

  /** This candidate's handshake ended (completed or failed). */
  synchronized void finished() {
    running--;
    notifyAll();
  }
}
