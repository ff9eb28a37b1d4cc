package dev.punchd.engine;

import dev.punchd.observe.LogContext;
import dev.punchd.transport.MappingOpener;
import dev.punchd.transport.SharedPort;
import dev.punchd.v1.Candidate;
import dev.punchd.v1.CandidateType;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.SecurityMode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's front door: allocates, finds, attempts and closes connections, enforces the connection
 * limit, expires unused connections and remembers ended ones for a while (so that a late call gets
 * FAILED_PRECONDITION rather than NOT_FOUND, and a late Events subscriber still sees the end). For a graceful
 * shutdown it stops allocating ({@link #stopAccepting}) and waits for live connections to end
 * ({@link #awaitNoLiveConnections}) before {@link #close} closes the rest. Thread-safe.
 */
public final class ConnectionManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionManager.class);
  private static final int MAX_REMEMBERED_ENDED = 10_000;
  private static final Duration REMEMBER_ENDED = Duration.ofMinutes(10);
  private static final int MAX_PEER_ADDRESSES = 32;
  private static final Duration MAX_ATTEMPT_TIMEOUT = Duration.ofMinutes(10);

  private final EngineSettings settings;
  private final Supplier<Credentials> credentials;
  private final EngineMetrics metrics;
  private final PeerAddressPolicy peerPolicy;
  private final EventHub hub = new EventHub();
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private final ArrayDeque<String> ended = new ArrayDeque<>(); // guarded by itself
  private final AtomicInteger live = new AtomicInteger();
  private final Object liveChanged = new Object(); // notified when a connection ends
  private volatile boolean accepting = true;
  private final ScheduledExecutorService timer;
  private final SynPacer pacer;
  private final MappingOpener opener;
  private final CandidateGatherer gatherer;
  private final EventLoops loops;

  /**
   * @param credentials makes the identity of each new SECURE connection
   * @param metrics told about attempts, closes and bytes
   * @param loops carry established RAW connections (the caller closes them after this manager)
   */
  public ConnectionManager(EngineSettings settings, Supplier<Credentials> credentials, EngineMetrics metrics,
      EventLoops loops) {
    this.settings = settings;
    this.loops = loops;
    this.credentials = credentials;
    this.metrics = metrics;
    EnumSet<PeerAddressPolicy.Range> allowed = EnumSet.noneOf(PeerAddressPolicy.Range.class);
    allowed.addAll(settings.allowedPeerAddresses());
    if (LocalAddresses.namesLoopback(settings.localInterfaces())) {
      allowed.add(PeerAddressPolicy.Range.THIS_HOST);
    }
    this.peerPolicy = new PeerAddressPolicy(allowed, LocalAddresses::all);
    this.pacer = new SynPacer(metrics);
    this.opener = openerOrOff(settings.traversal().openerTtl());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "punchd-timer");
      t.setDaemon(true);
      return t;
    });
    this.gatherer = new CandidateGatherer(settings, timer);
  }

  public EventHub events() {
    return hub;
  }

  /** Connections neither failed nor closed. */
  public int liveConnections() {
    return live.get();
  }

  /** Connections now in {@code state}, counted at call time (for gauges; ended ones only while remembered). */
  public int count(Connection.State state) {
    return (int) connections.values().stream().filter(c -> c.state() == state).count();
  }

  /** Connections with a Stream call attached (counted at call time; for gauges). */
  public int activeStreams() {
    return (int) connections.values().stream().filter(c -> c.pipe().hasStream()).count();
  }

  /**
   * Allocates a connection: binds its port, discovers its public address.
   *
   * @throws PunchdException RESOURCE_EXHAUSTED at the connection limit or with no free port, UNAVAILABLE
   *     once the sidecar is shutting down
   */
  public Connection allocate(ConnectionOptions options) {
    if (!accepting) {
      throw new PunchdException(PunchdException.Kind.UNAVAILABLE,
          "punchd is shutting down: it allocates no new connections");
    }
    PunchAttempt.Timing timing = timingFor(options);
    if (live.incrementAndGet() > settings.maxConnections()) {
      live.decrementAndGet();
      throw new PunchdException(PunchdException.Kind.RESOURCE_EXHAUSTED,
          "connection limit reached: " + settings.maxConnections() + " connections are open (--max-connections)");
    }
    SharedPort port;
    try {
      port = SharedPort.bind(settings.portRange());
    } catch (IOException e) {
      live.decrementAndGet();
      throw new PunchdException(PunchdException.Kind.RESOURCE_EXHAUSTED, "cannot bind a port for the connection: "
          + e.getMessage());
    }
    String id = UUID.randomUUID().toString();
    SecurityMode security = options.getSecurity() == SecurityMode.RAW ? SecurityMode.RAW : SecurityMode.SECURE;
    CandidateGatherer.Gathered gathered = gatherer.gather(port, security == SecurityMode.SECURE);
    RelayCandidates relays = new RelayCandidates(id, gathered.allocations(), gathered.addresses().relayErrors(),
        settings.traversal().relayAfter());
    Connection connection = new Connection(id, gathered.addresses(), security,
        security == SecurityMode.RAW ? null : credentials.get(), timing, port,
        settings.receiveBufferBytes(), settings.keepalive(), hub, timer, metrics, relays,
        settings.traversal().resumeWindow(), settings.traversal().keepRelay(), loops, this::ended);
    hub.register(id);
    connections.put(id, connection);
    timer.schedule(LogContext.withConnection(id, connection::expireIfUnused), settings.idleTimeout().toMillis(),
        TimeUnit.MILLISECONDS);
    try (LogContext.Scope ignored = LogContext.connection(id)) {
      log.info("connection {}: allocated on port {} ({})", id, port.port(), security);
    }
    return connection;
  }

  /** @throws PunchdException NOT_FOUND for an id this sidecar does not know (or no longer remembers) */
  public Connection get(String id) {
    Connection connection = id == null ? null : connections.get(id);
    if (connection == null) {
      throw PunchdException.notFound(id);
    }
    return connection;
  }

  /**
   * Starts punching toward the peer.
   *
   * @throws PunchdException INVALID_ARGUMENT for malformed addresses or fingerprint or an address the
   *     {@link PeerAddressPolicy} refuses, NOT_FOUND,
   *     FAILED_PRECONDITION when the connection is past allocation
   */
  public void attempt(String id, List<String> peerAddresses, String peerFingerprint) {
    attempt(id, peerAddresses, List.of(), peerFingerprint);
  }

  /**
   * Starts punching toward the peer's addresses and typed candidates (dialled alike); a connection through a
   * candidate typed RELAYED is reported as relayed.
   *
   * @throws PunchdException as {@link #attempt(String, List, String)}
   */
  public void attempt(String id, List<String> peerAddresses, List<Candidate> peerCandidates, String peerFingerprint) {
    Connection connection = get(id);
    List<String> all = new ArrayList<>(peerAddresses);
    peerCandidates.forEach(candidate -> all.add(candidate.getAddress()));
    List<InetSocketAddress> peers = parsePeers(all);
    Map<InetSocketAddress, String> peerRelays = new HashMap<>();
    peerCandidates.stream().filter(c -> c.getType() == CandidateType.RELAYED)
        .forEach(c -> peerRelays.put(HostPort.parse(c.getAddress()), c.getSource()));
    String fingerprint = peerFingerprint == null ? "" : peerFingerprint.trim().toLowerCase();
    if (connection.security() == SecurityMode.SECURE) {
      if (fingerprint.isEmpty()) {
        throw PunchdException.invalid("peer_fingerprint is required for a SECURE connection (use RAW for plain TCP)");
      }
      if (!fingerprint.matches("[0-9a-f]{64}")) {
        throw PunchdException.invalid("malformed peer_fingerprint '" + peerFingerprint
            + "': expected 64 hex digits (SHA-256)");
      }
      if (fingerprint.equals(connection.fingerprint())) {
        throw PunchdException.invalid("peer_fingerprint is this connection's own fingerprint");
      }
    }
    connection.attempt(peers, fingerprint, peerRelays);
  }

  /** Closes the connection (any state); closing an ended connection does nothing. */
  public void close(String id) {
    get(id).close(CloseReason.APPLICATION, "closed by the application");
  }

  /** From now on {@link #allocate} refuses with UNAVAILABLE; existing connections carry on. */
  public void stopAccepting() {
    accepting = false;
  }

  /**
   * Waits until no connection is live (all failed or closed), at most {@code timeout}.
   *
   * @return true if none is live
   */
  public boolean awaitNoLiveConnections(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (liveChanged) {
      while (live.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(liveChanged, left);
      }
    }
    return true;
  }

  /**
   * Closes every connection at once, telling peers the sidecar shuts down (each close waits at most about
   * two seconds for its CLOSE frame); stops the timer. The event loops are the caller's to close after.
   */
  @Override
  public void close() {
    try (ExecutorService closers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Connection connection : List.copyOf(connections.values())) {
        closers.submit(() -> connection.close(CloseReason.SHUTDOWN, "the sidecar is shutting down"));
      }
    }
    timer.shutdownNow();
  }

  private List<InetSocketAddress> parsePeers(List<String> addresses) {
    if (addresses.isEmpty()) {
      throw PunchdException.invalid("peer_addresses is empty: give at least one 'host:port' of the peer");
    }
    if (addresses.size() > MAX_PEER_ADDRESSES) {
      throw PunchdException.invalid("too many peer_addresses: " + addresses.size() + " (at most "
          + MAX_PEER_ADDRESSES + ")");
    }
    LinkedHashSet<InetSocketAddress> peers = new LinkedHashSet<>();
    for (String address : addresses) {
      InetSocketAddress peer = HostPort.parse(address);
      peerPolicy.check(address, peer);
      peers.add(peer);
    }
    return new ArrayList<>(peers);
  }

  /** The mapping opener with {@code ttl}, or none (with a warning) where this JVM cannot set a socket's TTL. */
  private static MappingOpener openerOrOff(int ttl) {
    try {
      return MappingOpener.withTtl(ttl);
    } catch (UnsupportedOperationException e) {
      log.warn("opener TTL {}: running without mapping openers (slower through NATs that answer early SYNs with "
          + "RST): {}", ttl, e.getMessage());
      return MappingOpener.OFF;
    }
  }

  private PunchAttempt.Timing timingFor(ConnectionOptions options) {
    if (options.getAttemptTimeoutMs() > MAX_ATTEMPT_TIMEOUT.toMillis()) {
      throw PunchdException.invalid("attempt_timeout_ms " + options.getAttemptTimeoutMs() + " is over the maximum of "
          + MAX_ATTEMPT_TIMEOUT.toMillis());
    }
    if (options.getRetryIntervalMs() != 0
        && (options.getRetryIntervalMs() < 10 || options.getRetryIntervalMs() > 10_000)) {
      throw PunchdException.invalid("retry_interval_ms " + options.getRetryIntervalMs() + " is outside 10..10000");
    }
    Duration timeout = options.getAttemptTimeoutMs() > 0 ? Duration.ofMillis(options.getAttemptTimeoutMs())
        : settings.attemptTimeout();
    Duration retry = options.getRetryIntervalMs() > 0 ? Duration.ofMillis(options.getRetryIntervalMs())
        : settings.retryInterval();
    return new PunchAttempt.Timing(timeout, retry, settings.handshakeTimeout(), pacer, opener);
  }

  private void ended(Connection connection) {
    live.decrementAndGet();
    synchronized (liveChanged) {
      liveChanged.notifyAll();
    }
    String forget;
    synchronized (ended) {
      ended.add(connection.id());
      forget = ended.size() > MAX_REMEMBERED_ENDED ? ended.poll() : null;
    }
    if (forget != null) {
      forget(forget);
    }
    if (!timer.isShutdown()) {
      timer.schedule(() -> forget(connection.id()), REMEMBER_ENDED.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void forget(String id) {
    connections.remove(id);
    hub.forget(id);
  }
}
