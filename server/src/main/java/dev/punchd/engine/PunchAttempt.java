package dev.punchd.engine;

import dev.punchd.observe.LogAddresses;
import dev.punchd.observe.LogContext;
import dev.punchd.transport.Link;
import dev.punchd.transport.SharedPort;
import dev.punchd.v1.Failed;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AttemptConnection: from the connection's shared port, re-dial every peer address (jittered) until
 * the deadline while accepting inbound connections; every candidate goes through the {@link Handshaker};
 * the first nominated one is reported, the others are closed. Refusals never end the attempt early:
 * NATs answer early SYNs with RST, and the peer may start seconds later. Thread-safe; reports exactly once.
 */
final class PunchAttempt {
  private static final Logger log = LoggerFactory.getLogger(PunchAttempt.class);
  private static final int MIN_CONNECT_TIMEOUT_MILLIS = 500;
  private static final int MAX_CONNECT_TIMEOUT_MILLIS = 3000;
  /** Candidates in handshake at once, at most: strangers racing to the port cannot pile up threads. */
  private static final int MAX_INBOUND_IN_HANDSHAKE = 16;
  /**
   * Pause after a refused dial (RST). A NAT that answers our early SYN with RST also wipes the mapping
   * our SYN just made, so a punch needs the two peers' SYNs to cross within about one round trip; how
   * often that happens grows with the product of both dial rates. natlab, cone NATs answering RST (round
   * trip ~25 us, busy 2-core machine), 40 punches each: 10 ms with whole-millisecond jitter took median
   * 4.2 s, 8 over 10 s, max 33 s; 2 ms with nanosecond jitter (and {@link #timeoutAfter}) median 0.3-0.8 s,
   * max 5.3 s.
   */
  private static final Duration REFUSED_RETRY = Duration.ofMillis(2);
  /**
   * Bound on a dial to an address that has refused before: a few round trips (a refusal measures one),
   * at least {@link #MIN_TIMEOUT_AFTER_REFUSAL}. Such a SYN that goes unanswered was most likely dropped
   * by a NAT in a crossing race (natlab: conntrack insert_failed when both SYNs meet); waiting the full
   * connect timeout would stop this side's dials for about a second.
   */
  private static final int REFUSAL_ROUND_TRIPS = 4;
  private static final Duration MIN_TIMEOUT_AFTER_REFUSAL = Duration.ofMillis(20);

  /** Receives the outcome; called once, from an attempt thread. */
  interface Outcome {
    void established(Link link);

    void failed(Failed failed);
  }

  /**
   * Timing of one attempt.
   *
   * @param timeout how long to keep punching
   * @param retryInterval base pause between dials of one address (jittered +-50%)
   * @param handshakeTimeout bound on one candidate's handshake and nomination
   */
  record Timing(Duration timeout, Duration retryInterval, Duration handshakeTimeout) {}

  private final String connectionId;
  private final SharedPort port;
  private final List<InetSocketAddress> peers;
  private final Set<InetAddress> peerIps;
  private final Handshaker handshaker;
  private final boolean acceptOnlyFromPeerIps;
  private final Timing timing;
  private final ScheduledExecutorService timer;
  private final Outcome outcome;
  private final Nomination nomination = new Nomination();
  private final CountDownLatch decided = new CountDownLatch(1);
  private final Set<Socket> candidates = ConcurrentHashMap.newKeySet();
  private final AttemptLog history;
  private volatile long deadlineNanos;
  private volatile ScheduledFuture<?> deadlineTask;

  PunchAttempt(String connectionId, SharedPort port, List<InetSocketAddress> peers, Handshaker handshaker,
      boolean acceptOnlyFromPeerIps, Timing timing, ScheduledExecutorService timer, Outcome outcome) {
    this.connectionId = connectionId;
    this.port = port;
    this.peers = List.copyOf(peers);
    this.peerIps = peers.stream().map(InetSocketAddress::getAddress).collect(Collectors.toUnmodifiableSet());
    this.handshaker = handshaker;
    this.acceptOnlyFromPeerIps = acceptOnlyFromPeerIps;
    this.timing = timing;
    this.timer = timer;
    this.outcome = outcome;
    this.history = new AttemptLog(this.peers.stream().map(HostPort::format).toList());
  }

  void start() {
    deadlineNanos = System.nanoTime() + timing.timeout().toNanos();
    deadlineTask = timer.schedule(LogContext.withConnection(connectionId, this::expire), timing.timeout().toMillis(),
        TimeUnit.MILLISECONDS);
    Thread.ofVirtual().name("punch-accept-" + connectionId).start(LogContext.withConnection(connectionId,
        this::acceptLoop));
    for (InetSocketAddress peer : peers) {
      Thread.ofVirtual().name("punch-dial-" + connectionId).start(LogContext.withConnection(connectionId,
          () -> dialLoop(peer)));
    }
  }

  /** Abandons the attempt without reporting; idempotent. */
  void cancel() {
    if (nomination.tryWin()) {
      stopPunching(null);
    }
  }

  private void acceptLoop() {
    while (!nomination.isDecided()) {
      Socket socket;
      try {
        socket = port.accept();
      } catch (IOException e) {
        return; // the port stopped listening: the attempt is decided
      }
      InetSocketAddress from = (InetSocketAddress) socket.getRemoteSocketAddress();
      if (acceptOnlyFromPeerIps && !peerIps.contains(from.getAddress())) {
        log.info("connection {}: refused inbound connection from {} (not a peer address)", connectionId,
            LogAddresses.of(from));
        closeQuietly(socket);
        continue;
      }
      if (candidates.size() >= MAX_INBOUND_IN_HANDSHAKE) {
        log.info("connection {}: refused inbound connection from {} ({} handshakes already running)", connectionId,
            LogAddresses.of(from), MAX_INBOUND_IN_HANDSHAKE);
        closeQuietly(socket);
        continue;
      }
      Thread.ofVirtual().name("punch-in-" + connectionId).start(LogContext.withConnection(connectionId,
          () -> conclude(socket, from, true)));
    }
  }

  private void dialLoop(InetSocketAddress peer) {
    String address = HostPort.format(peer);
    int connectTimeout = (int) Math.clamp(timing.retryInterval().toMillis() * 4, MIN_CONNECT_TIMEOUT_MILLIS,
        MAX_CONNECT_TIMEOUT_MILLIS);
    long refusalNanos = -1; // how long the last refusal took: about one round trip; -1 before any
    while (!nomination.isDecided()) {
      long remainingMillis = remainingMillis();
      if (remainingMillis <= 0) {
        return;
      }
      history.dialed(address);
      boolean refused = false;
      long dialStart = System.nanoTime();
      try {
        int timeout = (int) Math.min(timeoutAfter(refusalNanos, connectTimeout), remainingMillis);
        Socket socket = port.dial(peer, timeout);
        conclude(socket, peer, false);
      } catch (ConnectException e) {
        refused = true;
        refusalNanos = System.nanoTime() - dialStart;
        history.error(address, describe(e));
      } catch (IOException e) {
        // unanswered although the address refused before: lost in a crossing race, re-dial as soon
        refused = e instanceof SocketTimeoutException && refusalNanos >= 0;
        if (!nomination.isDecided()) {
          history.error(address, describe(e));
        }
      }
      pauseBeforeRedial(refused ? REFUSED_RETRY : timing.retryInterval());
    }
  }

  /** The connect timeout of the next dial, given how long the address's last refusal took (-1: none yet). */
  private static int timeoutAfter(long refusalNanos, int connectTimeoutMillis) {
    if (refusalNanos < 0) {
      return connectTimeoutMillis;
    }
    long roundTrips = TimeUnit.NANOSECONDS.toMillis(refusalNanos * REFUSAL_ROUND_TRIPS);
    return (int) Math.clamp(roundTrips, MIN_TIMEOUT_AFTER_REFUSAL.toMillis(), connectTimeoutMillis);
  }

  /** Runs the handshake on a dialled or accepted candidate from {@code peer}. */
  private void conclude(Socket socket, InetSocketAddress peer, boolean inbound) {
    String source = inbound ? "inbound from " + HostPort.format(peer) : HostPort.format(peer);
    String direction = inbound ? "accepted" : "dialled";
    candidates.add(socket);
    try {
      int timeout = (int) Math.max(1, Math.min(timing.handshakeTimeout().toMillis(), remainingMillis()));
      Optional<Link> link = handshaker.conclude(socket, nomination, timeout);
      if (link.isPresent()) {
        candidates.remove(socket);
        log.debug("connection {}: nominated {} ({})", connectionId, LogAddresses.of(peer), direction);
        stopPunching(link.get());
        return;
      }
      closeQuietly(socket);
    } catch (Handshaker.HandshakeException e) {
      closeQuietly(socket);
      if (!nomination.isDecided()) {
        history.handshakeFailed(source, e.reason(), e.getMessage());
        log.debug("connection {}: handshake with {} ({}) failed: {}", connectionId, LogAddresses.of(peer), direction,
            e.getMessage());
      }
    } finally {
      candidates.remove(socket);
    }
  }

  private void expire() {
    if (nomination.tryWin()) {
      stopPunching(null);
      outcome.failed(Failed.newBuilder()
          .setReason(history.reason())
          .setMessage(history.summary(timing.timeout().toMillis()))
          .addAllAddressErrors(history.addressErrors())
          .build());
    }
  }

  private void stopPunching(Link winner) {
    decided.countDown();
    ScheduledFuture<?> task = deadlineTask;
    if (task != null) {
      task.cancel(false);
    }
    port.stopPunching();
    candidates.forEach(PunchAttempt::closeQuietly);
    if (winner != null) {
      outcome.established(winner);
    }
  }

  /**
   * Waits {@code interval} (capped by the retry interval) +-50%, drawn in nanoseconds: whole-millisecond
   * pauses kept both peers' dials in step (each cycle = n ms + the same overhead), so their SYNs stayed
   * apart for seconds instead of crossing at random.
   */
  private void pauseBeforeRedial(Duration interval) {
    long base = Math.min(interval.toNanos(), timing.retryInterval().toNanos());
    long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base + 1);
    try {
      decided.await(Math.min(jittered, Math.max(0, deadlineNanos - System.nanoTime())), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long remainingMillis() {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // the candidate is discarded either way
    }
  }
}
