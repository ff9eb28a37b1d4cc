package dev.punchd.engine;

import dev.punchd.transport.Link;
import dev.punchd.transport.RawLink;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * RAW mode: no bytes are exchanged before the application's, so the two sides cannot nominate. Both keep the
 * connection with the smallest endpoint pair (a side-independent order where no NAT rewrites the endpoints).
 *
 * <p>The attempt's own dials can form one 4-tuple per peer address: our port, from the source address the
 * routing table picks, to that address (the peer's dials and both listeners meet on the same tuples, and the
 * kernel holds one connection per 4-tuple). A candidate that is the smallest of those tuples cannot be beaten
 * by any of them, so it is kept at once: with one peer address that is every candidate from it. Any other
 * first candidate opens a short settle window, after which the smallest candidate that formed is kept. Losers
 * are reset, not closed with a FIN, so a peer that kept one of them sees an error, never a half-close. One
 * instance per attempt; thread-safe.
 */
final class RawHandshaker implements Handshaker {
  static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** How often a candidate in its settle window checks whether the attempt was decided meanwhile. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final List<InetSocketAddress> peers;
  private final long settleNanos;
  private final List<Socket> candidates = new ArrayList<>(); // guarded by this
  private long settledAt; // guarded by this; 0 until the first candidate
  private Socket chosen; // guarded by this
  private String bestTuple; // guarded by this; the smallest tuple our dials can form, once computed

  /** @param peers the attempt's peer addresses */
  RawHandshaker(List<InetSocketAddress> peers) {
    this(peers, SETTLE_NANOS);
  }

  RawHandshaker(List<InetSocketAddress> peers, long settleNanos) {
    this.peers = List.copyOf(peers);
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
    String best = bestTuple(socket.getLocalPort());
    if (!best.isEmpty() && best.equals(pairKey(socket))) {
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

  /** The smallest pair key among the tuples our dials can form from {@code port}; "" when none can. */
  private String bestTuple(int port) {
    synchronized (this) {
      if (bestTuple != null) {
        return bestTuple;
      }
    }
    String best = peers.stream()
        .map(peer -> routeSource(peer).map(source -> pairKey(HostPort.format(source, port), HostPort.format(peer))))
        .flatMap(Optional::stream)
        .min(Comparator.naturalOrder())
        .orElse("");
    synchronized (this) {
      bestTuple = best;
      return best;
    }
  }

  /** The source address the routing table picks toward {@code peer} (no packet is sent); empty without a route. */
  private static Optional<InetAddress> routeSource(InetSocketAddress peer) {
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(peer);
      InetAddress source = probe.getLocalAddress();
      return source == null || source.isAnyLocalAddress() ? Optional.empty() : Optional.of(source);
    } catch (IOException | RuntimeException noRoute) {
      return Optional.empty();
    }
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
    return pairKey(endpoint((InetSocketAddress) socket.getLocalSocketAddress()),
        endpoint((InetSocketAddress) socket.getRemoteSocketAddress()));
  }

  private static String pairKey(String local, String remote) {
    return local.compareTo(remote) < 0 ? local + "|" + remote : remote + "|" + local;
  }

  private static String endpoint(InetSocketAddress address) {
    return address == null ? "" : HostPort.format(address);
  }
}
