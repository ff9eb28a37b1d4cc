package dev.punchd.engine;

import dev.punchd.observe.LogAddresses;
import dev.punchd.observe.LogContext;
import dev.punchd.relay.RelayedConnection;
import dev.punchd.relay.TurnAllocation;
import dev.punchd.relay.TurnServer;
import dev.punchd.transport.Link;
import dev.punchd.v1.AddressError;
import dev.punchd.v1.Failed;
import dev.punchd.v1.FailureReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's TURN allocations: grants the peer's IPs a permission on each, accepts the peer's connections
 * to the relayed addresses for as long as the allocation lives and, {@code relayAfter} after each arrives (so
 * direct paths keep priority), offers it to the current {@link Sink} as one more candidate: the connection's
 * {@link PunchAttempt} first, then (a session's resume) whichever attempt {@link #offerTo} named last; the same
 * handshake and nomination run on it. Remembers which sockets it offered, so the connection can tell a
 * relayed winner, and why each relay failed, for {@code Failed}. Releases the allocations on {@link #release}
 * (all but a winner's) and {@link #close}. Thread-safe.
 */
final class RelayCandidates implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RelayCandidates.class);

  /** Where relayed candidates go. */
  interface Sink {
    boolean isDecided();

    /** Waits until {@code nanoTime} or until the attempt is decided. */
    void waitUntil(long nanoTime);

    void offer(Socket socket, InetSocketAddress peer);
  }

  private final String connectionId;
  private final List<TurnAllocation> allocations;
  private final Duration relayAfter;
  private final Map<String, String> problems = new LinkedHashMap<>(); // relay -> why; guarded by itself
  private final Map<Socket, TurnServer> offered = new ConcurrentHashMap<>();
  private final Set<TurnAllocation> released = ConcurrentHashMap.newKeySet();
  private volatile Sink sink; // where relayed candidates go now; null before start

  /** @param refused relays that gave no allocation, each message naming its server */
  RelayCandidates(String connectionId, List<TurnAllocation> allocations, List<String> refused, Duration relayAfter) {
    this.connectionId = connectionId;
    this.allocations = List.copyOf(allocations);
    this.relayAfter = relayAfter;
    refused.forEach(message -> problems.put(message.substring(0, Math.max(0, message.indexOf(": "))), message));
  }

  boolean isEmpty() {
    return allocations.isEmpty() && problems.isEmpty();
  }

  /**
   * Permits {@code peers} on every allocation and feeds the peer's relayed connections to {@code first}, until
   * {@link #offerTo} names another sink; each allocation is accepted on until it ends (released or lost).
   */
  void start(Collection<InetSocketAddress> peers, Sink first) {
    sink = first;
    List<InetAddress> ips = peers.stream().map(InetSocketAddress::getAddress).distinct().toList();
    for (TurnAllocation allocation : allocations) {
      Thread.ofVirtual().name("relay-accept-" + connectionId).start(LogContext.withConnection(connectionId,
          () -> acceptLoop(allocation, ips)));
    }
  }

  /**
   * From now on offers relayed candidates to {@code next}: a session's later attempt (its standby listener, a
   * re-punch after a lost path, an upgrade attempt), so that a peer resuming through this side's relayed
   * address reaches it. A candidate waiting out {@code relayAfter} for a sink that was decided meanwhile goes
   * to {@code next}.
   */
  void offerTo(Sink next) {
    sink = next;
  }

  private void acceptLoop(TurnAllocation allocation, List<InetAddress> peers) {
    try {
      allocation.permit(peers);
    } catch (IOException e) {
      problem(allocation.server(), "CreatePermission refused: " + e.getMessage());
      return;
    }
    while (true) {
      RelayedConnection relayed;
      try {
        relayed = allocation.accept();
      } catch (IOException e) {
        if (!released.contains(allocation)) {
          problem(allocation.server(), e.getMessage()); // lost (its control connection), not released
        }
        return;
      }
      Thread.ofVirtual().name("relay-in-" + connectionId).start(LogContext.withConnection(connectionId,
          () -> offerLater(relayed)));
    }
  }

  /**
   * Offers {@code relayed} {@code relayAfter} after its arrival to the sink current then; closes it when no sink
   * wants it (the one it waited for was decided and not replaced, or reached its deadline first).
   */
  private void offerLater(RelayedConnection relayed) {
    long due = System.nanoTime() + relayAfter.toNanos();
    Sink waitedFor = null;
    while (true) {
      Sink target = sink;
      if (target == waitedFor || target.isDecided()) {
        closeQuietly(relayed.socket());
        return;
      }
      target.waitUntil(due);
      if (!target.isDecided()) {
        if (System.nanoTime() - due < 0) {
          closeQuietly(relayed.socket()); // the attempt's deadline came first: it is about to fail
          return;
        }
        log.debug("connection {}: relayed candidate from {} via {}", connectionId, LogAddresses.of(relayed.peer()),
            relayed.relay());
        offered.keySet().removeIf(Socket::isClosed); // losers and ended paths: the map holds the live ones only
        offered.put(relayed.socket(), relayed.relay());
        target.offer(relayed.socket(), relayed.peer());
        return;
      }
      waitedFor = target; // decided meanwhile: a session may have started its next attempt
    }
  }

  /** The relay {@code link} runs through, if it is one of the relayed candidates. */
  Optional<TurnServer> relayOf(Link link) {
    return offered.entrySet().stream()
        .filter(e -> link.localAddress().equals(e.getKey().getLocalSocketAddress())
            && link.remoteAddress().equals(e.getKey().getRemoteSocketAddress()))
        .map(Map.Entry::getValue).findFirst();
  }

  /**
   * {@code failed} with what went wrong with each relay: an address error per relay and, when the attempt only
   * timed out, reason {@link FailureReason#RELAY_FAILED} with the relays named in the message.
   */
  Failed annotate(Failed failed) {
    Map<String, String> seen;
    synchronized (problems) {
      seen = new LinkedHashMap<>(problems);
    }
    if (seen.isEmpty()) {
      return failed;
    }
    Failed.Builder builder = failed.toBuilder();
    seen.forEach((relay, why) -> builder.addAddressErrors(AddressError.newBuilder().setAddress(relay).setError(why)));
    if (failed.getReason() == FailureReason.TIMEOUT) {
      builder.setReason(FailureReason.RELAY_FAILED)
          .setMessage(failed.getMessage() + "; and no relay: " + String.join("; ", seen.values()));
    }
    return builder.build();
  }

  /** Releases every allocation but {@code keep}'s (null: all), each in the background (bounded by its timeout). */
  void release(TurnServer keep) {
    for (TurnAllocation allocation : allocations) {
      if ((keep == null || !allocation.server().equals(keep)) && released.add(allocation)) {
        Thread.ofVirtual().name("relay-release-" + connectionId).start(allocation::close);
      }
    }
  }

  @Override
  public void close() {
    release(null);
  }

  private void problem(TurnServer server, String why) {
    String message = why.startsWith(server.toString()) ? why : server + ": " + why;
    synchronized (problems) {
      problems.putIfAbsent(server.toString(), message);
    }
    log.info("connection {}: relay {}", connectionId, message);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // a candidate nobody wants any more
    }
  }
}
