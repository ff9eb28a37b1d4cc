package dev.punchd.engine;

import java.time.Duration;

/**
 * The sidecar-wide SYN budget: every dial of every connection reserves a slot here first, so that however
 * many connections punch at once the sidecar sends at most {@link #RATE_PER_SECOND} SYNs per second over
 * any second, with bursts of at most {@link #BURST} (a generic cell rate algorithm: in any window of
 * {@code w} seconds at most {@code BURST + RATE_PER_SECOND * w} SYNs). Each peer address is further
 * paced by its own {@link AddressPace}. Reservations return the time to send at instead of sleeping, so
 * the caller waits in its own cancellable way and tests need no clock. Thread-safe.
 */
final class SynPacer {
  /** SYNs per second a sidecar sends at most, sustained (the sum over all its connections). */
  static final int RATE_PER_SECOND = 5000;
  /** SYNs a sidecar may send back to back before {@link #RATE_PER_SECOND} applies. */
  static final int BURST = 500;
  private static final long INTERVAL_NANOS = Duration.ofSeconds(1).toNanos() / RATE_PER_SECOND;
  private static final long TOLERANCE_NANOS = (BURST - 1) * INTERVAL_NANOS;

  private final EngineMetrics metrics;
  private long theoreticalArrival; // guarded by this
  private boolean started; // guarded by this

  SynPacer(EngineMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * Books one SYN no earlier than {@code notBefore} and returns when it may be sent (at or after
   * {@code notBefore}); the caller then sends it ({@link #sent()}) or not at all.
   */
  long reserve(long notBefore) {
    long sendAt;
    synchronized (this) {
      if (!started || theoreticalArrival - notBefore < 0) {
        theoreticalArrival = notBefore;
        started = true;
      }
      sendAt = Math.max(notBefore, theoreticalArrival - TOLERANCE_NANOS);
      theoreticalArrival += INTERVAL_NANOS;
    }
    return sendAt;
  }

  /** A reserved SYN went out: counted in the SYN metric. */
  void sent() {
    metrics.synSent();
  }
}
