package dev.punchd.engine;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * When the next SYN to one peer address may go, from what the last dials to it did. After a refusal (RST)
 * the next SYN goes in the next slot of {@code spacing}: a slot starts when the last one ended (or one
 * spacing after the refused SYN left, when it left after its slot) and no sooner than a measured round trip
 * after it left; within its slot the SYN goes at a random moment, so two SYNs can be closer than the spacing
 * but every slot holds one. Spacing starts at {@link #MIN_SPACING}. A NAT that answers early SYNs with RST also wipes the mapping our SYN made, so both peers'
 * SYNs must cross within about a one-way delay (tens of microseconds in the zero-delay lab) and only a brisk
 * re-dial finds that moment (both sides are refused until then, so backing off early would slow both at
 * once: the first doubling comes after about 5 s). The random moment is what makes the crossing come soon:
 * at a fixed spacing both sides re-dial in step, their phase difference only drifts with scheduling noise,
 * and a crossing waited for that drift (natlab, cone NATs answering RST, no delay: medians 0.4-1.1 s, p90
 * up to 4.6 s); with a random moment per slot each pair of slots crosses with a fixed chance.
 * Every {@link #REFUSALS_PER_DOUBLING} refusals in a row double the spacing, up to {@link #MAX_SPACING};
 * anything but a refusal (an answer, a silent SYN, an existing connection on the tuple) resets it. Loopback,
 * link-local and this host's own addresses have no NAT to race: their refusals mean "nothing listens", so
 * they are re-dialled at most every {@link #LOCAL_SPACING}. Bound per address, from one SYN per slot: at most
 * 1/MIN_SPACING SYNs (+ 1) in any second for the first REFUSALS_PER_DOUBLING refusals, half that for the
 * next, ..., never more than 1/MAX_SPACING per second after. Used by one dial loop (not thread-safe).
 */
final class AddressPace {
  static final Duration MIN_SPACING = Duration.ofMillis(2);
  static final Duration MAX_SPACING = Duration.ofMillis(10);
  static final int REFUSALS_PER_DOUBLING = 2500;
  static final Duration LOCAL_SPACING = Duration.ofMillis(100);

  private final boolean local;
  private final RandomGenerator random;
  private int refusals;
  private long nextSyn;
  private long slotEnd; // when the slot of the last refused SYN ends
  private boolean any;

  AddressPace(boolean local) {
    this(local, new SplittableRandom());
  }

  /** With {@code random} choosing the moment within each slot (tests pass a seeded one). */
  AddressPace(boolean local, RandomGenerator random) {
    this.local = local;
    this.random = random;
  }

  /** Whether {@code address} is loopback, link-local, a wildcard or one of this host's own addresses. */
  static boolean isLocal(InetAddress address) {
    if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  /** The earliest time the next SYN may be sent. */
  long nextSynAt(long now) {
    return any ? Math.max(now, nextSyn) : now;
  }

  /** A SYN sent at {@code sentAt} was refused after {@code roundTripNanos}. */
  void refused(long sentAt, long roundTripNanos) {
    refusals++;
    if (local) {
      nextSyn = sentAt + Math.max(roundTripNanos, LOCAL_SPACING.toNanos());
    } else {
      long spacing = backedOff();
      // the refused SYN's slot: the one it was booked in, or a fresh one from when it left if it left later
      long slotEndOfSent = any && sentAt < slotEnd ? slotEnd : sentAt + spacing;
      long slotStart = Math.max(slotEndOfSent, sentAt + roundTripNanos);
      slotEnd = slotStart + spacing;
      nextSyn = slotStart + random.nextLong(spacing);
    }
    any = true;
  }

  /** The last SYN got anything but a refusal: the address no longer refuses. */
  void notRefused() {
    refusals = 0;
    any = false;
  }

  /** Consecutive refusals so far. */
  int refusals() {
    return refusals;
  }

  private long backedOff() {
    int doublings = Math.min(16, (refusals - 1) / REFUSALS_PER_DOUBLING);
    return Math.min(MAX_SPACING.toNanos(), MIN_SPACING.toNanos() << doublings);
  }
}
