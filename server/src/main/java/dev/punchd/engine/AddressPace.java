package dev.punchd.engine;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;

/**
 * When the next SYN to one peer address may go, from what the last dials to it did. A refusal (RST) is
 * followed by a re-dial after at least one measured round trip and at least {@link #MIN_SPACING}: a NAT
 * that answers early SYNs with RST also wipes the mapping our SYN made, so both peers' SYNs must cross
 * within about a round trip and only a brisk re-dial finds that moment (both sides are refused until then,
 * so backing off early would slow both at once: the first doubling comes after about 5 s). Every
 * {@link #REFUSALS_PER_DOUBLING} refusals in a row double the spacing, up to {@link #MAX_SPACING}; anything but a refusal (an answer, a
 * silent SYN, an existing connection on the tuple) resets it. Loopback, link-local and this host's own
 * addresses have no NAT to race: their refusals mean "nothing listens", so they are re-dialled at most every
 * {@link #LOCAL_SPACING}. Bound per address: at most 1/MIN_SPACING SYNs per second for the first
 * REFUSALS_PER_DOUBLING refusals, half that for the next, ..., never more than 1/MAX_SPACING per second
 * after. Used by one dial loop (not thread-safe).
 */
final class AddressPace {
  static final Duration MIN_SPACING = Duration.ofMillis(2);
  static final Duration MAX_SPACING = Duration.ofMillis(10);
  static final int REFUSALS_PER_DOUBLING = 2500;
  static final Duration LOCAL_SPACING = Duration.ofMillis(100);

  private final boolean local;
  private int refusals;
  private long nextSyn;
  private boolean any;

  AddressPace(boolean local) {
    this.local = local;
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
    long spacing = local ? LOCAL_SPACING.toNanos() : Math.max(roundTripNanos, backedOff());
    nextSyn = sentAt + spacing;
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
