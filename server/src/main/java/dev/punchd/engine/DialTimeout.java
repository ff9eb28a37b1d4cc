package dev.punchd.engine;

import java.time.Duration;

/**
 * How long one dial to a peer address waits for an answer before the dial loop gives it up and dials again,
 * from what the earlier dials to that address did. Until the address refuses, a dial waits for the rest of
 * the attempt (kept in flight, the kernel retransmitting its SYN). After a refusal a dial is bounded by
 * {@link #REFUSAL_ROUND_TRIPS} refusal round trips, at least {@link #MIN_AFTER_REFUSAL}: a SYN lost in a
 * crossing race (conntrack drops one of two SYNs that meet at a router) must not hold up the next. Every dial
 * in a row that then gets no answer at all doubles that bound, up to {@link #MAX_AFTER_REFUSAL}; an answer
 * (a connection or a refusal) resets it. A silent dial is not a refusal: the peer's answer may only be late
 * (a loaded host), and a dial given up while its answer is on its way turns that answer into a RST from our
 * own host. Whatever the cause, in the CI livelock of {@code NatLabOpenerTest} (cone NATs answering RST: 885
 * timeouts on one side, 954 refusals on the other) both sides re-dialled every 20 ms for the whole window; a
 * natlab capture with the same signature showed a NAT entry stuck after our listener answered the peer's SYN
 * (see {@link DialLoop}), into which a bound that grows sends a few dozen SYNs, not a thousand. Used by one
 * dial loop (not thread-safe).
 */
final class DialTimeout {
  /** Round trips a dial to an address that refused before waits, at least {@link #MIN_AFTER_REFUSAL}. */
  static final int REFUSAL_ROUND_TRIPS = 4;
  /**
   * The shortest bound on a dial after a refusal: a zero-delay refusal measures microseconds, but on a loaded
   * host the peer's answer can take tens of milliseconds to come through the kernels on the path.
   */
  static final Duration MIN_AFTER_REFUSAL = Duration.ofMillis(50);
  /** The longest bound after a refusal; the kernel's own first SYN retransmission comes after 1 s. */
  static final Duration MAX_AFTER_REFUSAL = Duration.ofSeconds(1);
  private static final int MAX_DOUBLINGS = 16;

  private long refusalNanos = -1; // the last refusal's round trip; -1 before any
  private int silent; // dials in a row that timed out

  /**
   * The bound on the next dial: {@code remainingNanos} (the rest of the attempt) until the address has
   * refused, then as described above, never more than {@code remainingNanos}.
   */
  long nextNanos(long remainingNanos) {
    if (refusalNanos < 0) {
      return remainingNanos;
    }
    long base = Math.max(refusalRoundTripsNanos(), MIN_AFTER_REFUSAL.toNanos());
    long grown = Math.min(MAX_AFTER_REFUSAL.toNanos(), base << Math.min(silent, MAX_DOUBLINGS));
    return Math.min(remainingNanos, Math.max(base, grown));
  }

  /** A dial was refused (RST) after {@code roundTripNanos}. */
  void refused(long roundTripNanos) {
    refusalNanos = roundTripNanos;
    silent = 0;
  }

  /** A dial got no answer within its bound. */
  void timedOut() {
    silent++;
  }

  /** A dial connected. */
  void answered() {
    silent = 0;
  }

  /** {@link #REFUSAL_ROUND_TRIPS} times the last refusal's round trip (negative before any refusal). */
  long refusalRoundTripsNanos() {
    return refusalNanos * REFUSAL_ROUND_TRIPS;
  }

  /** Whether the address has refused a dial in this attempt (dials are then bounded). */
  boolean refusedBefore() {
    return refusalNanos >= 0;
  }
}
