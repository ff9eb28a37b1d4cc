package dev.punchd.engine;

import dev.punchd.transport.Link;
import dev.punchd.transport.RawLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * RAW mode: no bytes are exchanged before the application's, so the two sides cannot nominate.
 *
 * <p>With one peer address, a candidate from exactly that address is the one 4-tuple the attempt can form
 * (our port to that address: both sides' dials and listeners meet on it, and the kernel holds one
 * connection per 4-tuple), so it is kept at once. When the peer is reachable at several addresses (IPv4
 * and IPv6, LAN and public), several TCP connections may form at nearly the same time; both sides then
 * wait a short settle window after their first one and keep the connection with the smallest address
 * pair, a rule both sides evaluate alike. Losers are reset, not closed with a FIN, so a peer that kept
 * one of them sees an error, never a half-close. One instance per attempt; thread-safe.
 */
final class RawHandshaker implements Handshaker {
  static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** How often a candidate in its settle window checks whether the attempt was decided meanwhile. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final InetSocketAddress onlyPeer; // null when the attempt has several peer addresses
  private final List<Socket> candidates = new ArrayList<>(); // guarded by this
  private long settledAt; // guarded by this; 0 until the first candidate
  private Socket chosen; // guarded by this

  private final long settleNanos;

  /** @param peers the attempt's peer addresses */
  RawHandshaker(List<InetSocketAddress> peers) {
    this(peers, SETTLE_NANOS);
  }

  RawHandshaker(List<InetSocketAddress> peers, long settleNanos) {
    this.onlyPeer = peers.size() == 1 ? peers.getFirst() : null;
    this.settleNanos = settleNanos;
  }

  @Override
  public Optional<Link> conclude(Socket socket, Nomination nomination, int timeoutMillis) throws HandshakeException {
    Optional<Link> link = choose(socket, nomination);
    if (link.isEmpty()) {
      resetOnClose(socket);
    }
    return link;
  }

  private Optional<Link> choose(Socket socket, Nomination nomination) throws HandshakeException {
    if (onlyPeer != null && onlyPeer.equals(socket.getRemoteSocketAddress())) {
      synchronized (this) {
        if (chosen != null || !nomination.tryWin()) {
          return Optional.empty();
        }
        chosen = socket;
      }
      return link(socket);
    }
    long until;
    synchronized (this) {
      if (chosen != null) {
        return Optional.empty();
      }
      candidates.add(socket);
      if (settledAt == 0) {
        settledAt = System.nanoTime() + settleNanos;
      }
      until = settledAt;
    }
    for (long left = until - System.nanoTime(); left > 0 && !nomination.isDecided(); left = until - System.nanoTime()) {
      LockSupport.parkNanos(Math.min(left, POLL_NANOS));
    }
    synchronized (this) {
      if (chosen == null) {
        chosen = candidates.stream().filter(s -> !s.isClosed()).min(Comparator.comparing(RawHandshaker::pairKey))
            .orElse(socket);
      }
      if (chosen != socket || !nomination.tryWin()) {
        return Optional.empty();
      }
    }
    return link(socket);
  }

  private static Optional<Link> link(Socket socket) throws HandshakeException {
    try {
      return Optional.of(new RawLink(socket));
    } catch (IOException e) {
      throw new HandshakeException(dev.punchd.v1.FailureReason.LOCAL_ERROR, "socket unusable: " + e.getMessage());
    }
  }

  /** A losing candidate's close becomes a reset: the peer must never read it as the end of the data. */
  private static void resetOnClose(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException alreadyClosed) {
      // nothing reaches the peer from a closed socket
    }
  }

  /** The connection's two endpoints in a side-independent order. */
  private static String pairKey(Socket socket) {
    String local = endpoint((InetSocketAddress) socket.getLocalSocketAddress());
    String remote = endpoint((InetSocketAddress) socket.getRemoteSocketAddress());
    return local.compareTo(remote) < 0 ? local + "|" + remote : remote + "|" + local;
  }

  private static String endpoint(InetSocketAddress address) {
    return address == null ? "" : HostPort.format(address);
  }
}
