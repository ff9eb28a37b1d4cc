package dev.punchd.engine;

import dev.punchd.observe.LogAddresses;
import dev.punchd.observe.LogContext;
import dev.punchd.relay.TurnServer;
import dev.punchd.transport.Abortable;
import dev.punchd.transport.Keepalive;
import dev.punchd.transport.Link;
import dev.punchd.transport.PeerCloseReason;
import dev.punchd.transport.PeerClosedException;
import dev.punchd.transport.SecureLink.Nominated;
import dev.punchd.transport.SharedPort;
import dev.punchd.v1.Candidate;
import dev.punchd.v1.CloseInitiator;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.Closed;
import dev.punchd.v1.Established;
import dev.punchd.v1.Event;
import dev.punchd.v1.Failed;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.NatBehaviour;
import dev.punchd.v1.PathChanged;
import dev.punchd.v1.PathKind;
import dev.punchd.v1.SecurityMode;
import dev.punchd.v1.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One punched connection: its port, its state machine (ALLOCATED, CONNECTING, ESTABLISHED, then FAILED
 * or CLOSED), its attempt, its TURN allocations ({@link RelayCandidates}), its {@link DataPipe} and, in SECURE
 * mode with a resume window, its session across paths ({@link PathResume}). One lock owns the state of the
 * connection and of its pipe, so the end is decided once, in one place; every transition publishes its event after that lock is
 * released (nothing is called out of the engine under it). A terminal transition first stops the pipe and
 * the attempt (cancel), then aborts the link within its bound, frees the port and stops counting the
 * connection as live, then publishes. Thread-safe.
 */
public final class Connection implements DataPipe.Owner, PunchAttempt.Outcome {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  /** Where a connection is in its life. */
  public enum State { ALLOCATED, CONNECTING, ESTABLISHED, FAILED, CLOSED }

  private final String id;
  private final Addresses addresses;
  private final SecurityMode security;
  private final Credentials credentials; // null in RAW mode
  private final PunchAttempt.Timing timing;
  private final SharedPort port;
  private final DataPipe pipe;
  private final EventHub hub;
  private final ScheduledExecutorService timer;
  private final EngineMetrics metrics;
  private final Consumer<Connection> onTerminated;
  private final EventLoops loops;
  private final Keepalive keepalive;
  private final RelayCandidates relays;
  private final PathMetrics pathMetrics;
  private final Duration resumeWindow; // zero: no session layer
  private final boolean keepRelay; // a session keeps the allocations while direct too
  private final ReentrantLock lock = new ReentrantLock();
  private State state = State.ALLOCATED; // guarded by lock
  private PunchAttempt attempt; // guarded by lock
  private PathResume resume; // guarded by lock: SECURE with a resume window only
  private Abortable link; // guarded by lock: what ends the established connection; dropped once it ended
  private long attemptStartNanos; // guarded by lock
  private boolean outputFinished; // guarded by lock
  private boolean inputFinished; // guarded by lock
  private Map<InetSocketAddress, String> peerRelays = Map.of(); // guarded by lock: the peer's relayed addresses

  /** What GetAddresses reports. */
  public record Addresses(List<String> local, List<String> published, String discoveryError,
      List<Candidate> candidates, NatBehaviour nat, List<String> relayErrors) {}

  Connection(String id, Addresses addresses, SecurityMode security, Credentials credentials,
      PunchAttempt.Timing timing, SharedPort port, int receiveBufferBytes, Keepalive keepalive, EventHub hub,
      ScheduledExecutorService timer, EngineMetrics metrics, RelayCandidates relays, Duration resumeWindow,
      boolean keepRelay, EventLoops loops, Consumer<Connection> onTerminated) {
    this.id = id;
    this.addresses = addresses;
    this.security = security;
    this.credentials = credentials;
    this.timing = timing;
    this.port = port;
    this.keepalive = keepalive;
    this.relays = relays;
    this.resumeWindow = resumeWindow;
    this.keepRelay = keepRelay;
    this.pathMetrics = new PathMetrics(metrics);
    this.pipe = new DataPipe(id, receiveBufferBytes, this, pathMetrics, lock);
    this.hub = hub;
    this.timer = timer;
    this.metrics = metrics;
    this.onTerminated = onTerminated;
    this.loops = loops;
  }

  public String id() {
    return id;
  }

  public Addresses addresses() {
    return addresses;
  }

  public SecurityMode security() {
    return security;
  }

  /** The fingerprint to give the peer; empty in RAW mode. */
  public String fingerprint() {
    return credentials == null ? "" : credentials.fingerprint();
  }

  public DataPipe pipe() {
    return pipe;
  }

  public State state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts punching toward {@code peers}; validated by the caller.
   *
   * @param peerRelays the peer's relayed addresses among {@code peers}, each with its relay's name
   */
  void attempt(List<InetSocketAddress> peers, String peerFingerprint, Map<InetSocketAddress, String> peerRelays) {
    PunchAttempt started;
    lock.lock();
    try {
      if (state != State.ALLOCATED) {
        throw PunchdException.precondition("connection " + id + " is " + state
            + "; AttemptConnection is allowed once, on a connection that has just been allocated");
      }
      boolean sessions = credentials != null && resumeWindow.isPositive();
      Handshaker handshaker = credentials == null ? new RawHandshaker(peers)
          : credentials.handshaker(peerFingerprint, sessions ? Nominated.OPENS_SESSION : Nominated.PLAIN);
      state = State.CONNECTING;
      this.peerRelays = Map.copyOf(peerRelays);
      attemptStartNanos = System.nanoTime();
      if (sessions) {
        boolean controlling = credentials.fingerprint().compareTo(peerFingerprint) < 0;
        resume = new PathResume(id, port, peers, peerRelays.keySet(), relays,
            credentials.handshaker(peerFingerprint, Nominated.JOINS_SESSION), controlling, timing,
            resumeWindow, timer, this::pathChanged);
        handshaker = resume.opening(handshaker); // OPEN leaves with the winner, before the attempt's bookkeeping
      }
      attempt = new PunchAttempt(id, port, peers, handshaker, credentials == null, timing, timer, this);
      started = attempt;
    } finally {
      lock.unlock();
    }
    metrics.attemptStarted(Transport.TCP);
    started.start();
    relays.start(peers, started);
  }

  /** Closes the connection in whatever state it is (no-op once terminal). */
  void close(CloseReason reason, String message) {
    PeerCloseReason wire = reason == CloseReason.SHUTDOWN ? PeerCloseReason.SHUTDOWN : PeerCloseReason.APPLICATION;
    terminate(CloseInitiator.LOCAL, reason, message, wire);
  }

  /** Closes the connection if it is still only allocated; true if it did. */
  boolean expireIfUnused() {
    if (state() != State.ALLOCATED) {
      return false;
    }
    terminate(CloseInitiator.LOCAL, CloseReason.EXPIRED, "no AttemptConnection within the idle timeout", null);
    return true;
  }

  @Override
  public void established(Link winner) {
    Duration elapsed;
    Optional<TurnServer> relay = relays.relayOf(winner);
    String relayName;
    Link data = winner;
    boolean relayedPath = relay.isPresent() || peerRelayed(winner);
    PathResume sessions;
    lock.lock();
    try {
      sessions = resume;
    } finally {
      lock.unlock();
    }
    if (sessions != null) {
      try {
        data = sessions.open(winner, relayedPath);
      } catch (IOException e) {
        winner.close();
        failed(Failed.newBuilder().setReason(FailureReason.HANDSHAKE_FAILED)
            .setMessage("the nominated connection could not open a session: " + e.getMessage()
                + " (a peer with sessions off, --resume-window 0, refuses this side's session at nomination; both "
                + "peers need the same setting)").build());
        return;
      }
    }
    lock.lock();
    try {
      relayName = relay.map(TurnServer::toString).orElse(peerRelays.getOrDefault(winner.remoteAddress(), ""));
      if (state != State.CONNECTING) {
        elapsed = null;
      } else {
        elapsed = Duration.ofNanos(System.nanoTime() - attemptStartNanos);
        state = State.ESTABLISHED;
        attempt = null; // decided: nothing left to cancel, and its candidates and log can go
        link = pipe.start(data, keepalive, loops);
        // Queued in the transition, so that a Closed queued by a later terminate() cannot overtake it.
        hub.enqueue(Event.newBuilder().setConnectionId(id).setEstablished(Established.newBuilder()
            .setLocalAddress(HostPort.format(winner.localAddress()))
            .setRemoteAddress(HostPort.format(winner.remoteAddress()))
            .setTransport(Transport.TCP)
            .setEstablishMillis(elapsed.toMillis())
            .setSecurity(security)
            .setPath(relayName.isEmpty() ? PathKind.DIRECT : PathKind.RELAY)
            .setRelay(relayName)).build());
      }
    } finally {
      lock.unlock();
    }
    if (elapsed == null) {
      data.close(); // closed or failed meanwhile: nobody wants it
      return;
    }
    if (sessions == null || !(relayedPath || keepRelay)) {
      relays.release(relay.orElse(null)); // a direct winner needs no relay; a relayed one keeps its own
    } // else the session keeps every allocation of this side: a path it resumes may run through any
    metrics.attemptEstablished(Transport.TCP, elapsed);
    pathMetrics.pathThroughRelay(relay.isPresent());
    hub.deliver(); // before the log line: a console write is no part of the time to Established
    try (LogContext.Scope ignored = LogContext.connection(id)) {
      log.info("connection {}: established with {} in {} ms{}", id, LogAddresses.of(winner.remoteAddress()),
          elapsed.toMillis(), relayName.isEmpty() ? "" : " through relay " + relayName);
    }
    if (sessions != null) {
      sessions.watchForNewPaths(); // after Established: a listener and an attempt's threads are not on the path
    }
  }

  private boolean peerRelayed(Link winner) {
    lock.lock();
    try {
      return peerRelays.containsKey(winner.remoteAddress());
    } finally {
      lock.unlock();
    }
  }

  /**
   * The session moved to a new path: reported while the connection is established and counted as relayed while it
   * runs through this side's allocation; a direct one frees the relay (unless {@code --keep-relay}).
   */
  private void pathChanged(PathChanged change, boolean throughOwnRelay) {
    lock.lock();
    try {
      if (state != State.ESTABLISHED) {
        return;
      }
      hub.enqueue(Event.newBuilder().setConnectionId(id).setPathChanged(change).build());
    } finally {
      lock.unlock();
    }
    pathMetrics.pathThroughRelay(throughOwnRelay);
    if (change.getPath() == PathKind.DIRECT && !keepRelay) {
      relays.release(null);
    }
    hub.deliver();
  }

  @Override
  public void failed(Failed attemptFailure) {
    Failed failed = relays.annotate(attemptFailure);
    StreamSink toTell;
    lock.lock();
    try {
      if (state != State.CONNECTING) {
        return;
      }
      state = State.FAILED;
      attempt = null;
      toTell = pipe.endLocked(new StreamEnd(false, CloseInitiator.LOCAL, CloseReason.CLOSE_REASON_UNSPECIFIED,
          "connection failed: " + failed.getMessage()));
    } finally {
      lock.unlock();
    }
    metrics.attemptFailed(Transport.TCP, failed.getReason());
    try (LogContext.Scope ignored = LogContext.connection(id)) {
      log.info("connection {}: failed ({}): {}", id, failed.getReason(), failed.getMessage());
    }
    if (toTell != null) {
      toTell.onReceivable();
    }
    port.close();
    relays.close();
    onTerminated.accept(this);
    hub.publish(Event.newBuilder().setConnectionId(id).setFailed(failed).build());
  }

  @Override
  public void outputFinished() {
    boolean done;
    lock.lock();
    try {
      outputFinished = true;
      done = inputFinished;
    } finally {
      lock.unlock();
    }
    completeIf(done, CloseInitiator.PEER);
  }

  @Override
  public void inputFinished() {
    boolean done;
    lock.lock();
    try {
      inputFinished = true;
      done = outputFinished;
    } finally {
      lock.unlock();
    }
    completeIf(done, CloseInitiator.LOCAL);
  }

  /** Both directions finished: the connection closed cleanly, initiated by the side that finished first. */
  private void completeIf(boolean bothFinished, CloseInitiator firstToFinish) {
    if (bothFinished) {
      terminate(firstToFinish, CloseReason.COMPLETED, "both sides finished sending", null);
    }
  }

  @Override
  public void broken(IOException cause) {
    if (cause instanceof PeerClosedException closed) {
      CloseReason reason = switch (closed.reason()) {
        case APPLICATION -> CloseReason.APPLICATION;
        case SHUTDOWN -> CloseReason.SHUTDOWN;
        case ERROR -> CloseReason.CONNECTION_LOST;
      };
      terminate(CloseInitiator.PEER, reason, closed.getMessage(), null);
    } else {
      terminate(CloseInitiator.PEER, CloseReason.CONNECTION_LOST, "connection lost: " + cause.getMessage(),
          PeerCloseReason.ERROR);
    }
  }

  private void terminate(CloseInitiator initiator, CloseReason reason, String message, PeerCloseReason wire) {
    PunchAttempt runningAttempt;
    PathResume resuming;
    Abortable established;
    State before;
    StreamSink toTell;
    lock.lock();
    try {
      if (state == State.FAILED || state == State.CLOSED) {
        return;
      }
      resuming = resume;
      before = state;
      state = State.CLOSED;
      runningAttempt = attempt;
      established = link;
      attempt = null;
      link = null;
      toTell = pipe.endLocked(new StreamEnd(reason == CloseReason.COMPLETED, initiator, reason,
          "connection closed: " + message));
    } finally {
      lock.unlock();
    }
    if (before == State.CONNECTING) {
      metrics.attemptCancelled(Transport.TCP);
    }
    metrics.connectionClosed(reason);
    try (LogContext.Scope ignored = LogContext.connection(id)) {
      log.info("connection {}: closed by {} ({}): {}", id, initiator, reason, message);
    }
    if (runningAttempt != null) {
      runningAttempt.cancel();
    }
    if (resuming != null) {
      resuming.cancel();
    }
    if (toTell != null) {
      toTell.onReceivable();
    }
    if (established != null) {
      if (wire != null) {
        established.abort(wire, message);
      } else {
        established.close();
      }
    }
    port.close();
    relays.close();
    onTerminated.accept(this);
    hub.publish(Event.newBuilder().setConnectionId(id).setClosed(Closed.newBuilder()
        .setInitiator(initiator).setReason(reason).setMessage(message)).build());
  }
}
