package dev.punchd.engine;

import dev.punchd.observe.LogAddresses;
import dev.punchd.observe.LogContext;
import dev.punchd.session.PathBinder;
import dev.punchd.session.SessionLink;
import dev.punchd.transport.Link;
import dev.punchd.transport.SharedPort;
import dev.punchd.v1.Failed;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.PathChanged;
import dev.punchd.v1.PathKind;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SECURE connection's session across paths (design notes, "Sessions and path changes"): opens the
 * {@link SessionLink} on the nominated path and keeps the port listening for a path the peer brings; when a
 * path breaks it punches again toward the same peer
 * addresses from the connection's port, with the same handshake, for the resume window; a new path is bound
 * to the session ({@link PathBinder#attach}) and takes over. A path that fails to bind is closed and the
 * punching starts over while the window lasts; when it has passed, the session fails the pipe
 * (CONNECTION_LOST). Every attempt it runs also takes the peer's connections to this side's TURN allocations
 * ({@link RelayCandidates#offerTo}), and a re-punch dials the peer's relayed addresses too, so a path may resume
 * through a relay: it is then RELAY, gets the relay's send window and looks for a direct path in the
 * background, as a relayed start does. Thread-safe: synchronized.
 */
final class PathResume implements SessionLink.PathListener, PunchAttempt.Outcome {
  /** Hears of each move to a new path; called with no lock held. */
  interface Moves {
    /** @param throughOwnRelay whether the new path runs through one of this side's TURN allocations */
    void pathChanged(PathChanged change, boolean throughOwnRelay);
  }

  private static final Logger log = LoggerFactory.getLogger(PathResume.class);
  /** Unacknowledged bytes per direction at most: the send window of a direct path. */
  static final int RETRANSMIT_BYTES = 1024 * 1024;
  /** The send window over a TURN relay: below coturn's ~192 KiB queue toward a TCP relay socket. */
  static final int RELAYED_WINDOW_BYTES = 128 * 1024;
  /** The first background attempt at a direct path after a relayed start; doubled after each miss, to a minute. */
  static final Duration UPGRADE_FIRST = Duration.ofSeconds(1);
  private static final Duration UPGRADE_MAX = Duration.ofMinutes(1);
  /**
   * How long one background attempt at a direct path dials (at most the attempt timeout): a dial kept in
   * flight across the moment a path opens is only retried at the kernel's SYN backoff (1, 3, 7, 15 s...), so
   * fresh attempts find an opened path sooner (natlab: one 30 s attempt spanning the moment missed it, the
   * next one connected in 57 ms). Both sides start theirs the same time after establishing, so they overlap.
   */
  static final Duration UPGRADE_ATTEMPT = Duration.ofSeconds(5);
  /** How long one standby listener lasts before it is renewed (its expiry is not a failure). */
  private static final Duration STANDBY = Duration.ofHours(1);

  /**
   * What the running attempt looks for. Independent of it: whether the path is lost, and whether a path that
   * an attempt brought is being bound (a path may break while its successor is bound).
   */
  private enum Looking {
    /** No attempt runs (the port could not listen, or the window has passed). */
    NOTHING,
    /** The standby listener: the path works; a peer that noticed a loss first may bring a new one. */
    PEER_PATHS,
    /** An upgrade attempt: the relayed path works; dials the peer's direct addresses and listens. */
    DIRECT,
    /** A re-punch: the path is lost; dials every address of the peer and listens. */
    ANY
  }

  private final String connectionId;
  private final SharedPort port;
  private final List<InetSocketAddress> peers;
  private final List<InetSocketAddress> directPeers; // the peers but the peer's relayed addresses
  private final Set<InetSocketAddress> peerRelayed;
  private final RelayCandidates relays; // this side's allocations
  private final Handshaker handshaker;
  private final boolean controlling;
  private final PunchAttempt.Timing timing;
  private final Duration window;
  private final ScheduledExecutorService timer;
  private final Moves moves;
  private final PathBinder binder = new PathBinder(new SecureRandom());
  private InetSocketAddress pathLocal; // guarded by this: the current path's ends, kept while its socket is open
  private InetSocketAddress pathRemote; // guarded by this
  private PathKind pathKind = PathKind.DIRECT; // guarded by this
  private IOException lostBy; // guarded by this
  private SessionLink session; // guarded by this
  private PunchAttempt attempt; // guarded by this: the running attempt, see looking
  private Looking looking = Looking.NOTHING; // guarded by this: what the running attempt is for
  private long lostAtNanos; // guarded by this
  private boolean lost; // guarded by this: the current path broke and none replaced it yet
  private boolean binding; // guarded by this: a new path is being bound; it replaces whatever path breaks now
  private Duration upgradeBackoff = UPGRADE_FIRST; // guarded by this
  private ScheduledFuture<?> nextUpgrade; // guarded by this
  private boolean cancelled; // guarded by this
  private PathBinder.BoundPath sentOpen; // guarded by this: the winner's path, OPEN sent, until open() takes it

  /**
   * @param peerRelayed the peer's relayed addresses among {@code peers}
   * @param relays      this side's TURN allocations, kept by the connection while its path is relayed (and while
   *                    it is direct with {@code --keep-relay})
   */
  PathResume(String connectionId, SharedPort port, List<InetSocketAddress> peers, Set<InetSocketAddress> peerRelayed,
      RelayCandidates relays, Handshaker handshaker, boolean controlling, PunchAttempt.Timing timing, Duration window,
      ScheduledExecutorService timer, Moves moves) {
    this.connectionId = connectionId;
    this.port = port;
    this.peers = List.copyOf(peers);
    this.peerRelayed = Set.copyOf(peerRelayed);
    this.relays = relays;
    this.directPeers = peers.stream().filter(peer -> !peerRelayed.contains(peer)).toList();
    this.handshaker = handshaker;
    this.controlling = controlling;
    this.timing = timing;
    this.window = window;
    this.timer = timer;
    this.moves = moves;
  }

  /**
   * The first attempt's handshaker: on the controlling side, the candidate that wins the nomination sends the
   * session's OPEN on its own thread right behind its NOMINATE, before the attempt closes the losers and reports
   * it, so the controlled side, which waits for OPEN before it is Established, waits for nothing else of this
   * side's. A failure to send it fails the candidate after it won (the attempt reports it).
   */
  Handshaker opening(Handshaker nominating) {
    if (!controlling) {
      return nominating;
    }
    return (socket, nomination, timeoutMillis) -> {
      Optional<Link> won = nominating.conclude(socket, nomination, timeoutMillis);
      if (won.isPresent()) {
        try {
          PathBinder.BoundPath sent = binder.open(won.get(), true);
          synchronized (this) {
            sentOpen = sent;
          }
        } catch (IOException e) {
          won.get().close();
          throw new Handshaker.HandshakeException(FailureReason.HANDSHAKE_FAILED,
              "the session's OPEN could not be sent: " + e.getMessage());
        }
      }
      return won;
    };
  }

  /**
   * Agrees on the session over the nominated path, within the handshake timeout (the path is closed after):
   * the controlled side reads OPEN; the controlling side's winning candidate has sent it ({@link #opening}), else
   * it is sent here; a relayed path gets the smaller send window. Starts nothing else: the
   * caller reports Established first and then calls {@link #watchForNewPaths}.
   */
  Link open(Link nominated, boolean relayed) throws IOException {
    ScheduledFuture<?> cutoff = timer.schedule(nominated::close, timing.handshakeTimeout().toMillis(),
        TimeUnit.MILLISECONDS);
    try {
      PathBinder.BoundPath bound;
      synchronized (this) {
        bound = sentOpen != null && sentOpen.path() == nominated ? sentOpen : null;
        sentOpen = null;
      }
      if (bound == null) {
        bound = binder.open(nominated, controlling);
      }
      SessionLink opened = new SessionLink(bound, RETRANSMIT_BYTES, window, this, timer);
      if (relayed) {
        opened.limitWindow(RELAYED_WINDOW_BYTES);
      }
      synchronized (this) {
        session = opened;
        pathLocal = nominated.localAddress();
        pathRemote = nominated.remoteAddress();
        pathKind = relayed ? PathKind.RELAY : PathKind.DIRECT;
      }
      return opened;
    } finally {
      cutoff.cancel(false);
    }
  }

  /**
   * After the session {@link #open}ed and Established was published: keeps the port listening for the peer's
   * new paths and, on a relayed path, schedules the first upgrade attempt. Off the establishment path, as binding
   * a listener and starting an attempt's threads cost the punch time and nothing needs them before. A path lost
   * meanwhile has started its re-punch instead, and a cancelled session starts nothing.
   */
  synchronized void watchForNewPaths() {
    if (cancelled || lost || attempt != null) {
      return; // closed meanwhile, or a re-punch runs already
    }
    standBy();
    if (pathKind == PathKind.RELAY) {
      scheduleUpgrade();
    }
  }

  @Override
  public synchronized void pathLost(IOException cause) {
    lostAtNanos = System.nanoTime();
    lostBy = cause;
    lost = true;
    if (binding) {
      return; // the peer dropped the old path because it took the new one this side is binding
    }
    if (looking != Looking.ANY && attempt != null) {
      attempt.cancel(); // the re-punch listens and dials all the peer's addresses
      attempt = null;
      looking = Looking.NOTHING;
    }
    log.info("connection {}: path lost ({}); punching for a new one for {} ms", connectionId, cause.getMessage(),
        window.toMillis());
    punch();
  }

  private void punch() {
    long left = lostAtNanos + window.toNanos() - System.nanoTime();
    if (cancelled || left <= 0 || (attempt != null && !attempt.isDecided())) {
      return;
    }
    try {
      port.resumePunching();
    } catch (IOException e) {
      log.warn("connection {}: port {} cannot listen again: {}", connectionId, port.port(), e.toString());
      looking = Looking.NOTHING;
      return;
    }
    start(peers, Duration.ofNanos(left));
    looking = Looking.ANY;
  }

  /**
   * While the path works, keeps the port listening, so that a peer that noticed a loss first (this side may
   * notice only at its peer timeout) can bring a new path, which then replaces the old one.
   */
  private void standBy() {
    if (cancelled || lost) {
      return;
    }
    try {
      port.resumePunching();
    } catch (IOException e) {
      log.warn("connection {}: port {} cannot listen for the peer's new paths: {}", connectionId, port.port(),
          e.toString());
      looking = Looking.NOTHING;
      return;
    }
    start(List.of(), STANDBY);
    looking = Looking.PEER_PATHS;
  }

  /**
   * A relayed session looks for a direct path in the background, with backoff, while the relay carries it; one
   * upgrade is scheduled at a time (a path resumed through the relay replaces a pending one).
   */
  private void scheduleUpgrade() {
    if (cancelled || directPeers.isEmpty()) {
      return;
    }
    Duration wait = upgradeBackoff;
    upgradeBackoff = upgradeBackoff.multipliedBy(2).compareTo(UPGRADE_MAX) > 0 ? UPGRADE_MAX
        : upgradeBackoff.multipliedBy(2);
    if (nextUpgrade != null) {
      nextUpgrade.cancel(false);
    }
    nextUpgrade = timer.schedule(LogContext.withConnection(connectionId, this::tryDirect), wait.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private synchronized void tryDirect() {
    if (cancelled || lost || binding || pathKind != PathKind.RELAY || looking != Looking.PEER_PATHS) {
      return;
    }
    log.debug("connection {}: looking for a direct path to {}", connectionId, directPeers);
    attempt.cancel(); // the standby listener (which stops the port); the upgrade attempt listens too
    try {
      port.resumePunching();
    } catch (IOException e) {
      log.warn("connection {}: port {} cannot punch for a direct path: {}", connectionId, port.port(), e.toString());
      looking = Looking.NOTHING;
      return;
    }
    start(directPeers, timing.timeout().compareTo(UPGRADE_ATTEMPT) < 0 ? timing.timeout() : UPGRADE_ATTEMPT);
    looking = Looking.DIRECT;
  }

  private void start(List<InetSocketAddress> toDial, Duration timeout) {
    attempt = new PunchAttempt(connectionId, port, toDial, handshaker, false,
        new PunchAttempt.Timing(timeout, timing.retryInterval(), timing.handshakeTimeout(), timing.pacer(),
            timing.opener()), timer,
        this);
    relays.offerTo(attempt); // a peer resuming through this side's allocation reaches this attempt
    attempt.start();
  }

  /**
   * A new path won the re-punch (or the standby or upgrade attempt): bind it to the session and move there, with
   * the send window of its kind; a relayed one looks for a direct path again (the backoff starts over when the
   * old path was direct).
   */
  @Override
  public void established(Link path) {
    SessionLink current;
    boolean ownRelay = relays.relayOf(path).isPresent();
    PathKind kind = ownRelay || peerRelayed.contains(path.remoteAddress()) ? PathKind.RELAY : PathKind.DIRECT;
    InetSocketAddress oldLocal;
    InetSocketAddress oldRemote;
    PathKind oldKind;
    synchronized (this) {
      binding = true;
      current = session;
      oldLocal = pathLocal;
      oldRemote = pathRemote;
      oldKind = pathKind;
    }
    ScheduledFuture<?> cutoff = timer.schedule(path::close, timing.handshakeTimeout().toMillis(),
        TimeUnit.MILLISECONDS);
    try (LogContext.Scope ignored = LogContext.connection(connectionId)) {
      try {
        current.attach(binder.attach(path, current.ticket(), controlling, current.nextGeneration(),
            current.received()));
        current.limitWindow(kind == PathKind.RELAY ? RELAYED_WINDOW_BYTES : RETRANSMIT_BYTES);
        long pause;
        String why;
        synchronized (this) {
          pathLocal = path.localAddress();
          pathRemote = path.remoteAddress();
          pathKind = kind;
          pause = lost ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAtNanos) : 0;
          why = looking == Looking.DIRECT && kind == PathKind.DIRECT ? "a direct path completed"
              : lost ? "path lost: " + lostBy.getMessage() : "the peer brought a new path";
          lost = false;
          binding = false;
          standBy();
          if (kind == PathKind.RELAY) {
            if (oldKind == PathKind.DIRECT) {
              upgradeBackoff = UPGRADE_FIRST;
            }
            scheduleUpgrade();
          }
        }
        log.info("connection {}: moved to a new {} path to {} ({}; paused {} ms)", connectionId, kind,
            LogAddresses.of(path.remoteAddress()), why, pause);
        moves.pathChanged(PathChanged.newBuilder()
            .setOldLocalAddress(HostPort.format(oldLocal))
            .setOldRemoteAddress(HostPort.format(oldRemote))
            .setOldPath(oldKind)
            .setLocalAddress(HostPort.format(path.localAddress()))
            .setRemoteAddress(HostPort.format(path.remoteAddress()))
            .setPath(kind)
            .setPauseMillis(pause)
            .setReason(why).build(), ownRelay);
      } catch (IOException e) {
        path.close();
        log.info("connection {}: new path to {} not bound to the session: {}", connectionId,
            LogAddresses.of(path.remoteAddress()), e.getMessage());
        synchronized (this) {
          binding = false;
          if (lost) {
            punch();
          } else {
            standBy();
            if (pathKind == PathKind.RELAY) {
              scheduleUpgrade(); // the next upgrade (one skipped while this path was being bound, too)
            }
          }
        }
      } finally {
        cutoff.cancel(false);
      }
    }
  }

  @Override
  public void failed(Failed failed) {
    synchronized (this) {
      if (looking == Looking.PEER_PATHS) {
        standBy(); // a standby listener's hour is up
        return;
      }
      if (looking == Looking.DIRECT) {
        log.debug("connection {}: no direct path yet: {}", connectionId, failed.getMessage());
        standBy();
        scheduleUpgrade();
        return;
      }
    }
    log.info("connection {}: no new path: {}", connectionId, failed.getMessage());
  }

  /** Stops re-punching; idempotent. */
  void cancel() {
    PunchAttempt running;
    synchronized (this) {
      cancelled = true;
      running = attempt;
      attempt = null;
      if (nextUpgrade != null) {
        nextUpgrade.cancel(false);
      }
    }
    if (running != null) {
      running.cancel();
    }
  }
}
