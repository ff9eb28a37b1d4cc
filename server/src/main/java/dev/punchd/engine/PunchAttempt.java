package dev.punchd.engine;

import dev.punchd.observe.LogAddresses;
import dev.punchd.observe.LogContext;
import dev.punchd.transport.Link;
import dev.punchd.transport.MappingOpener;
import dev.punchd.transport.SharedPort;
import dev.punchd.v1.Failed;
import dev.punchd.v1.FailureReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AttemptConnection: from the connection's shared port, re-dial every peer address (jittered) until
 * the deadline while accepting inbound connections; every candidate goes through the {@link Handshaker};
 * the first nominated one is reported, the others are closed. Refusals never end the attempt early:
 * NATs answer early SYNs with RST, and the peer may start seconds later. Each address is dialled by a
 * {@link DialLoop}. Thread-safe; reports exactly once.
 */
final class PunchAttempt implements RelayCandidates.Sink {
  private static final Logger log = LoggerFactory.getLogger(PunchAttempt.class);
  /** Inbound candidates in handshake at once, at most: strangers racing to the port cannot pile up threads. */
  private static final int MAX_INBOUND_IN_HANDSHAKE = 16;
  /**
   * Whole-handshake bound for an inbound candidate that does not come from a peer address (a peer behind
   * a port-changing NAT, or a stranger): a peer sends its hello at once, so this only cuts strangers short.
   */
  private static final long STRANGER_HANDSHAKE_MILLIS = 3000;

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
   * @param pacer the sidecar's SYN budget, shared by all its attempts
   * @param opener sends the mapping opener SYNs of each {@link DialLoop}
   */
  record Timing(Duration timeout, Duration retryInterval, Duration handshakeTimeout, SynPacer pacer,
      MappingOpener opener) {}

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
  private final AtomicInteger inboundInHandshake = new AtomicInteger();
  private final Set<InetSocketAddress> peerAddresses;
  private final StrangerLog strangers;
  private final AttemptLog history;
  private volatile long deadlineNanos;
  private volatile ScheduledFuture<?> deadlineTask;

  PunchAttempt(String connectionId, SharedPort port, List<InetSocketAddress> peers, Handshaker handshaker,
      boolean acceptOnlyFromPeerIps, Timing timing, ScheduledExecutorService timer, Outcome outcome) {
    this.connectionId = connectionId;
    this.port = port;
    this.peers = List.copyOf(peers);
    this.peerAddresses = Set.copyOf(peers);
    this.strangers = new StrangerLog(connectionId);
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
    DialLoop.Attempt view = new DialLoop.Attempt() {
      @Override
      public boolean isDecided() {
        return nomination.isDecided();
      }

      @Override
      public long deadlineNanos() {
        return deadlineNanos;
      }

      @Override
      public void conclude(Socket socket, InetSocketAddress peer) {
        PunchAttempt.this.conclude(socket, peer, false);
      }

      @Override
      public void waitUntil(long nanoTime) {
        PunchAttempt.this.waitUntil(nanoTime);
      }
    };
    for (InetSocketAddress peer : peers) {
      DialLoop loop = new DialLoop(peer, port, timing.pacer(), timing.opener(), history,
          timing.retryInterval().toNanos(), view);
      Thread.ofVirtual().name("punch-dial-" + connectionId).start(LogContext.withConnection(connectionId, loop::run));
    }
  }

  /**
   * Runs the handshake and nomination on a candidate from another source (a TURN relay's connection from
   * {@code peer}) exactly as on a dialled one.
   */
  @Override
  public void offer(Socket socket, InetSocketAddress peer) {
    conclude(socket, peer, false);
  }

  @Override
  public boolean isDecided() {
    return nomination.isDecided();
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
        closeQuietly(socket);
        strangers.turnedAway(from, "not a peer address");
        continue;
      }
      if (inboundInHandshake.incrementAndGet() > MAX_INBOUND_IN_HANDSHAKE) {
        inboundInHandshake.decrementAndGet();
        closeQuietly(socket);
        strangers.turnedAway(from, MAX_INBOUND_IN_HANDSHAKE + " inbound handshakes already running");
        continue;
      }
      Thread.ofVirtual().name("punch-in-" + connectionId).start(LogContext.withConnection(connectionId, () -> {
        try {
          conclude(socket, from, true);
        } finally {
          inboundInHandshake.decrementAndGet();
        }
      }));
    }
  }

  /**
   * Runs the handshake on a dialled or accepted candidate from {@code peer}, within one deadline for the
   * whole of it (hello, TLS, nomination). Only a candidate from a peer address can set the attempt's
   * failure reason: a stranger racing to the port is turned away without a trace in it.
   */
  private void conclude(Socket socket, InetSocketAddress peer, boolean inbound) {
    boolean fromPeerAddress = !inbound || peerAddresses.contains(peer);
    String source = inbound ? "inbound from " + HostPort.format(peer) : HostPort.format(peer);
    String direction = inbound ? "accepted" : "dialled";
    candidates.add(socket);
    long bound = fromPeerAddress ? timing.handshakeTimeout().toMillis() : STRANGER_HANDSHAKE_MILLIS;
    int timeout = (int) Math.max(1, Math.min(bound, remainingMillis()));
    AtomicBoolean cutOff = new AtomicBoolean(); // set before the close, so the failure it causes is read as it
    ScheduledFuture<?> cutoff = timer.schedule(() -> {
      if (!nomination.isDecided()) {
        cutOff.set(true);
        closeQuietly(socket);
      }
    }, timeout, TimeUnit.MILLISECONDS);
    try {
      Optional<Link> link = handshaker.conclude(socket, nomination, timeout);
      cutoff.cancel(false);
      if (link.isPresent()) {
        candidates.remove(socket);
        log.debug("connection {}: nominated {} ({})", connectionId, LogAddresses.of(peer), direction);
        stopPunching(link.get());
        return;
      }
      closeQuietly(socket);
    } catch (Handshaker.HandshakeException e) {
      closeQuietly(socket);
      String why = cutOff.get() ? "handshake not complete within " + timeout + " ms" : e.getMessage();
      if (nomination.wonByCurrentThread()) {
        failAfterWinning(source, e.reason(), why); // decided, so the attempt must report it now
      } else if (!fromPeerAddress) {
        strangers.turnedAway(peer, why);
      } else if (!nomination.isDecided()) {
        history.handshakeFailed(source, e.reason(), why, cutOff.get() || e.timedOut());
        log.debug("connection {}: handshake with {} ({}) failed: {}", connectionId, LogAddresses.of(peer), direction,
            e.getMessage());
      }
    } finally {
      cutoff.cancel(false);
      candidates.remove(socket);
    }
  }

  /** The winning candidate failed after it won (its NOMINATE could not be sent, or its link not made). */
  private void failAfterWinning(String source, FailureReason reason, String why) {
    stopPunching(null);
    outcome.failed(Failed.newBuilder()
        .setReason(reason)
        .setMessage("the nominated connection (" + source + ") failed: " + why)
        .addAllAddressErrors(history.addressErrors())
        .build());
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

  /** Waits until {@code nanoTime} (at most until the deadline) or until the attempt is decided. */
  @Override
  public void waitUntil(long nanoTime) {
    try {
      decided.await(Math.max(0, Math.min(nanoTime, deadlineNanos) - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long remainingMillis() {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // the candidate is discarded either way
    }
  }
}
