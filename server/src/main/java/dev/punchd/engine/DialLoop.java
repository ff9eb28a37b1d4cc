package dev.punchd.engine;

import dev.punchd.transport.MappingOpener;
import dev.punchd.transport.OpenerDial;
import dev.punchd.transport.SharedPort;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Dials one peer address from the connection's shared port until the attempt is decided, keeping a dial in
 * flight on that 4-tuple for as long as the address does not refuse: while our socket waits in SYN-SENT,
 * the peer's SYN (let in by the NAT mapping our SYN made, however late the peer starts) meets it and the
 * two form one connection by simultaneous open. A pause between dials would leave the port to the
 * listener, which answers such a SYN with a SYN-ACK of its own sequence number; the NAT's connection
 * tracking, which saw our SYN's, drops that SYN-ACK as invalid, so the half-open connection never completes
 * and, holding the exact 4-tuple, makes every re-dial fail with EADDRNOTAVAIL (measured in natlab: calls
 * 1 s apart, routers dropping unsolicited SYNs, 0 of 3 connected). After a refusal (RST) it re-dials as
 * {@link AddressPace} and the sidecar's {@link SynPacer} allow, each such dial bounded by {@link DialTimeout}
 * (a few measured round trips, growing while dials go unanswered: a SYN lost in a crossing race must not hold
 * up the next, and an answer that is merely late must not be turned into a RST by giving up on its dial). A refusal comes from the peer's
 * NAT when our SYN arrives before the peer's own left; passing our NAT, that RST ends the flow there, so the
 * peer's SYN a moment later is unsolicited at our NAT and refused in turn. With openers on
 * ({@code --opener-ttl}), right after each refusal and until the next dial is due an opener dial
 * ({@link SharedPort#dialOpener}) holds the flow open: its SYN dies between the NATs (no RST), and the
 * peer's SYN completes it (not toward loopback, link-local or our own addresses, which have no NAT
 * between). Openers are booked with the sidecar's {@link SynPacer} and counted in the SYN metric; they never
 * reach the peer address. Used by one thread.
 */
final class DialLoop {
  /**
   * How long a half-open connection of the listener may hold our 4-tuple (re-dials failing with
   * EADDRNOTAVAIL) before the listener is reopened, which discards it.
   */
  private static final long TUPLE_HELD_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * How long an opener dial holds our NAT's flow open before the next dial, at least: a late peer's SYN meets
   * it (one round trip after the peer's call); only when both sides' first dials were refused (calls within
   * about a round trip) does the connection wait for the next dial.
   */
  private static final long MIN_OPENER_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** What the loop needs of its attempt. */
  interface Attempt {
    boolean isDecided();

    long deadlineNanos();

    /** Runs the handshake on a connected candidate. */
    void conclude(Socket socket, InetSocketAddress peer);

    /** Waits until {@code nanoTime} or until the attempt is decided. */
    void waitUntil(long nanoTime);
  }

  private final InetSocketAddress peer;
  private final String address;
  private final SharedPort port;
  private final SynPacer pacer;
  private final AttemptLog history;
  private final Attempt attempt;
  private final long retryNanos;
  private final AddressPace pace;
  private final DialTimeout timeouts = new DialTimeout();
  private final MappingOpener opener; // OFF toward local addresses
  private long tupleHeldSince = -1; // when re-dials started failing with EADDRNOTAVAIL; -1 when they do not
  private boolean refusedLast; // the last dial was refused: our NAT's flow is closed
  private boolean openerKilled; // an ICMP error ended an opener dial: no more openers in this attempt

  DialLoop(InetSocketAddress peer, SharedPort port, SynPacer pacer, MappingOpener opener, AttemptLog history,
      long retryNanos, Attempt attempt) {
    this.peer = peer;
    this.address = HostPort.format(peer);
    this.port = port;
    this.pacer = pacer;
    this.history = history;
    this.retryNanos = retryNanos;
    this.attempt = attempt;
    boolean local = AddressPace.isLocal(peer.getAddress());
    this.pace = new AddressPace(local);
    this.opener = local ? MappingOpener.OFF : opener;
  }

  /**
   * The next dial, bound ahead: its socket, and the opener dial it replaces (null when there is none or that one
   * ended already), which holds the tuple until this dial's SYN leaves.
   */
  private record Replacement(Socket prepared, OpenerDial held) {
    void close() {
      closeQuietly(prepared);
      if (held != null) {
        held.close();
      }
    }
  }

  void run() {
    Replacement prepared = null; // the next dial, bound ahead, so no moment leaves the tuple to the listener
    try {
      while (!attempt.isDecided()) {
        if (refusedLast && opener.isOn() && !openerKilled) {
          refusedLast = false;
          long now = System.nanoTime();
          prepared = holdOpen(Math.max(pace.nextSynAt(now), now + openerHoldNanos()));
          continue;
        }
        long now = System.nanoTime();
        long sendAt = pacer.reserve(prepared != null ? now : pace.nextSynAt(now));
        attempt.waitUntil(sendAt);
        now = System.nanoTime();
        long remaining = attempt.deadlineNanos() - now;
        if (attempt.isDecided() || remaining <= 0) {
          return;
        }
        Replacement next = prepared;
        prepared = dialOnce(now, remaining, next);
      }
    } finally {
      if (prepared != null) {
        prepared.close();
      }
    }
  }

  /**
   * Dials from {@code next}'s socket in place of its opener dial or, when null, from a new socket. Returns the
   * dial to go next at once, bound ahead, when this one timed out (else null): our NAT's flow outlives a dial
   * given up in SYN-SENT, and the peer's SYN arriving before the next dial's SYN left would meet the listener,
   * whose SYN-ACK of another sequence number the NAT drops, leaving the NAT's entry refusing or dropping every
   * later SYN on the tuple (natlab captures: one side's dials all unanswered, the other's all refused, as in
   * the CI livelock of {@code NatLabOpenerTest}).
   */
  private Replacement dialOnce(long start, long remainingNanos, Replacement next) {
    history.dialed(address);
    pacer.sent();
    long timeout = timeouts.nextNanos(remainingNanos);
    if (!timeouts.refusedBefore()) {
      history.error(address, "no answer to our SYN (dial kept in flight)");
    }
    Socket ahead = timeouts.refusedBefore() ? prepareQuietly() : null; // bounded: it may time out
    try {
      int timeoutMillis = (int) Math.clamp(TimeUnit.NANOSECONDS.toMillis(timeout), 1, remainingMillis());
      Socket socket = next == null ? port.dial(peer, timeoutMillis)
          : next.held() == null ? port.dial(next.prepared(), peer, timeoutMillis)
          : port.dial(next.prepared(), peer, timeoutMillis, next.held());
      pace.notRefused();
      timeouts.answered();
      tupleHeldSince = -1;
      attempt.conclude(socket, peer);
    } catch (ConnectException e) {
      long refusalNanos = System.nanoTime() - start;
      pace.refused(start, refusalNanos);
      timeouts.refused(refusalNanos);
      refusedLast = true;
      history.error(address, describe(e));
    } catch (BindException e) {
      tupleHeld(e);
    } catch (SocketTimeoutException e) {
      // unanswered although the address refused before: lost in a crossing race or late; re-dial at once,
      // the next dial waiting longer (DialTimeout)
      pace.notRefused();
      timeouts.timedOut();
      record(e);
      if (ahead != null) {
        Replacement following = new Replacement(ahead, null);
        ahead = null;
        return following;
      }
    } catch (IOException e) {
      pace.notRefused();
      record(e);
      attempt.waitUntil(System.nanoTime() + retryNanos);
    } finally {
      closeQuietly(ahead);
    }
    return null;
  }

  private Socket prepareQuietly() {
    try {
      return port.prepareDial();
    } catch (IOException e) {
      return null; // the port is closing; the dial itself meets the cause
    }
  }

  private long openerHoldNanos() {
    return Math.max(timeouts.refusalRoundTripsNanos(), MIN_OPENER_HOLD_NANOS);
  }

  /**
   * Holds our NAT's flow open with an opener dial until {@code dialAt}, when the next dial is due, and returns
   * that dial, bound before the opener dial ends and replacing it (null when the opener dial connected or
   * the attempt ended). The opener dial stays in SYN-SENT until the next dial's SYN leaves
   * ({@link SharedPort#dial(Socket, InetSocketAddress, int, OpenerDial)}): any moment without a dial on the
   * tuple lets the peer's SYN, let in by our NAT's flow, reach the listener, whose SYN-ACK of another sequence
   * number the NAT drops, and the NAT's entry then drops or refuses every later SYN on the tuple (bench: 1 of
   * 80 punches timed out so when the next dial was not yet bound, 1 of 50 when it was bound but the opener
   * dial closed before the next SYN). A router that answers the expired opener SYN with ICMP time-exceeded
   * ends the dial (the kernel takes it for a hard error in SYN-SENT), with the same effect, so the next dial
   * goes at once (its SYN replaces that flow) and openers stop for the rest of the attempt.
   */
  private Replacement holdOpen(long dialAt) {
    attempt.waitUntil(pacer.reserve(System.nanoTime()));
    long now = System.nanoTime();
    if (attempt.isDecided() || attempt.deadlineNanos() - now <= 0) {
      return null;
    }
    int waitMillis = (int) Math.clamp(TimeUnit.NANOSECONDS.toMillis(dialAt - now), 1, remainingMillis());
    Socket next;
    try {
      next = port.prepareDial();
    } catch (IOException e) {
      return null; // the port is closing: the loop ends
    }
    try {
      OpenerDial dial = port.dialOpener(peer, opener, waitMillis);
      pacer.sent();
      Optional<Socket> socket = dial.connected();
      if (socket.isPresent()) {
        closeQuietly(next);
        pace.notRefused();
        timeouts.answered();
        tupleHeldSince = -1;
        attempt.conclude(socket.get(), peer);
        return null;
      }
      return new Replacement(next, dial);
    } catch (ConnectException e) {
      pacer.sent(); // refused within the TTL, or its retransmission (full TTL) was: the next dial goes as due
    } catch (NoRouteToHostException e) {
      pacer.sent();
      openerKilled = true;
      history.error(address, "mapping opener SYN answered with ICMP (" + e.getMessage() + "): openers off");
    } catch (IOException e) {
      // nothing sent (a connection holds the 4-tuple, or the port is closing): the next dial meets the cause
    }
    return new Replacement(next, null);
  }

  private static void closeQuietly(Socket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // discarding an unused dial
    }
  }

  /**
   * EADDRNOTAVAIL: the kernel already has a connection on our 4-tuple, which the listener accepted or
   * half-opened. A completed one reaches the attempt through the listener; a half-open one the NAT keeps
   * from completing is discarded by reopening the listener once it has held the tuple a while.
   */
  private void tupleHeld(BindException e) {
    long now = System.nanoTime();
    pace.notRefused();
    record(e);
    if (tupleHeldSince < 0) {
      tupleHeldSince = now;
    } else if (now - tupleHeldSince >= TUPLE_HELD_NANOS) {
      tupleHeldSince = -1;
      port.relisten();
    }
    attempt.waitUntil(now + retryNanos);
  }

  private void record(IOException e) {
    if (!attempt.isDecided()) {
      history.error(address, describe(e));
    }
  }

  private long remainingMillis() {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(attempt.deadlineNanos() - System.nanoTime()));
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
