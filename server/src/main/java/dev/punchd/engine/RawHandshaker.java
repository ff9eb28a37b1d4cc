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
 * RAW mode: no bytes are exchanged before the application's, so the two sides cannot nominate. When the
 * peer is reachable at several addresses (IPv4 and IPv6, LAN and public), several TCP connections may
 * form at nearly the same time; both sides then wait a short settle window after their first one and
 * keep the connection with the smallest address pair, a rule both sides evaluate alike. One instance per
 * attempt; thread-safe.
 */
final class RawHandshaker implements Handshaker {
  static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final List<Socket> candidates = new ArrayList<>(); // guarded by this
  private long settledAt; // guarded by this; 0 until the first candidate
  private Socket chosen; // guarded by this

  @Override
  public Optional<Link> conclude(Socket socket, Nomination nomination, int timeoutMillis) throws HandshakeException {
    long until;
    synchronized (this) {
      if (chosen != null) {
        return Optional.empty();
      }
      candidates.add(socket);
      if (settledAt == 0) {
        settledAt = System.nanoTime() + SETTLE_NANOS;
      }
      until = settledAt;
    }
    for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
      LockSupport.parkNanos(left);
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
    try {
      return Optional.of(new RawLink(socket));
    } catch (IOException e) {
      throw new HandshakeException(dev.punchd.v1.FailureReason.LOCAL_ERROR, "socket unusable: " + e.getMessage());
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
