package dev.punchd.relay;

import dev.punchd.stun.Dialer;
import dev.punchd.stun.StunAttributes;
import dev.punchd.stun.StunFormatException;
import dev.punchd.stun.StunMessage;
import dev.punchd.stun.StunMethod;
import dev.punchd.stun.StunServerException;
import dev.punchd.stun.StunStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP allocation on a TURN server (RFC 8656 + RFC 6062): a relayed address that peers with a permission can
 * dial, each of their connections delivered by {@link #accept()} as a {@link RelayedConnection}, and outbound
 * connections through the relay with {@link #connect}. The allocation and its permissions are refreshed on the
 * given scheduler (the requests themselves run on virtual threads) until {@link #close()}. Thread-safe.
 */
public final class TurnAllocation implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(TurnAllocation.class);
  private static final RelayedConnection ENDED = new RelayedConnection(new Socket(), null, null);

  private final TurnServer server;
  private final TurnSettings settings;
  private final ScheduledExecutorService scheduler;
  private final TurnAuth auth;
  private final ConnectionBinder binder;
  private final BlockingQueue<RelayedConnection> accepted;
  private final AtomicLong refreshes = new AtomicLong();
  private final AtomicLong permissionRefreshes = new AtomicLong();
  private final Object lock = new Object();
  private volatile ControlChannel control; // set once in allocate()
  private InetSocketAddress relayed;
  private InetSocketAddress mapped;
  private final Set<InetAddress> permitted = new LinkedHashSet<>(); // guarded by lock
  private final List<ScheduledFuture<?>> timers = new ArrayList<>(); // guarded by lock
  private volatile String ended; // why the allocation is over, null while it lives

  private TurnAllocation(TurnServer server, Dialer dialer, TurnSettings settings, ScheduledExecutorService scheduler) {
    this.server = server;
    this.settings = settings;
    this.scheduler = scheduler;
    this.auth = new TurnAuth(server);
    this.binder = new ConnectionBinder(server, auth, dialer, settings.timeout());
    this.accepted = new LinkedBlockingQueue<>(settings.acceptBacklog());
  }

  /**
   * Opens a control connection to {@code server} (through {@code dialer}) and allocates a TCP relay on it.
   *
   * @throws StunServerException naming the server and its error code when it cannot be reached or refuses
   */
  public static TurnAllocation allocate(TurnServer server, Dialer dialer, TurnSettings settings,
      ScheduledExecutorService scheduler) throws IOException {
    TurnAllocation allocation = new TurnAllocation(server, dialer, settings, scheduler);
    Socket socket;
    try {
      socket = dialer.dial(server.address(), (int) Math.max(1, settings.timeout().toMillis()));
    } catch (IOException e) {
      throw new StunServerException(server.toString(), "cannot connect over TCP", null, e);
    }
    try {
      allocation.control = new ControlChannel(server.toString(), new StunStream(socket), allocation::onIndication,
          allocation::onControlEnd);
      StunMessage response = allocation.request(StunMethod.ALLOCATE,
          b -> b.addU32(StunAttributes.REQUESTED_TRANSPORT, (long) StunAttributes.TRANSPORT_TCP << 24));
      allocation.relayed = required(server, response, StunAttributes.XOR_RELAYED_ADDRESS, "XOR-RELAYED-ADDRESS");
      allocation.mapped = required(server, response, StunAttributes.XOR_MAPPED_ADDRESS, "XOR-MAPPED-ADDRESS");
      allocation.scheduleRefresh(lifetime(response));
      return allocation;
    } catch (IOException | RuntimeException e) {
      allocation.close();
      socket.close(); // also when the control connection failed before allocation.control was set
      throw e;
    }
  }

  private static InetSocketAddress required(TurnServer server, StunMessage response, int type, String name)
      throws StunServerException {
    try {
      return response.address(type).orElseThrow(
          () -> new StunServerException(server.toString(), "Allocate response without " + name));
    } catch (StunFormatException e) {
      throw new StunServerException(server.toString(), "Allocate response with a malformed " + name, null, e);
    }
  }

  private static Duration lifetime(StunMessage response) throws StunFormatException {
    return Duration.ofSeconds(response.u32(StunAttributes.LIFETIME).orElse(600));
  }

  public TurnServer server() {
    return server;
  }

  /** The relayed address: peers (with a permission) dial it to reach {@link #accept()}. */
  public InetSocketAddress relayedAddress() {
    return relayed;
  }

  /** Our address as the TURN server saw the control connection (a server-reflexive address). */
  public InetSocketAddress mappedAddress() {
    return mapped;
  }

  /** How many Refresh requests the server has accepted so far. */
  public long refreshes() {
    return refreshes.get();
  }

  /** How many permission renewals (CreatePermission after the first) the server has accepted so far. */
  public long permissionRefreshes() {
    return permissionRefreshes.get();
  }

  /**
   * Lets connections from these peer IPs in (CreatePermission; ports do not matter), and keeps them allowed
   * until {@link #close()}.
   */
  public void permit(Collection<InetAddress> peers) throws IOException {
    if (peers.isEmpty()) {
      return;
    }
    request(StunMethod.CREATE_PERMISSION, b -> peers.forEach(
        ip -> b.addAddress(StunAttributes.XOR_PEER_ADDRESS, new InetSocketAddress(ip, 0))));
    synchronized (lock) {
      boolean first = permitted.isEmpty();
      permitted.addAll(peers);
      if (first) {
        long every = settings.permissionRefresh().toMillis();
        timers.add(scheduler.scheduleWithFixedDelay(
            () -> Thread.ofVirtual().start(this::refreshPermissions), every, every, TimeUnit.MILLISECONDS));
      }
    }
  }

  /** Waits for the next peer that connects to the relayed address; fails once the allocation has ended. */
  public RelayedConnection accept() throws IOException {
    RelayedConnection next;
    try {
      next = accepted.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for a relayed connection", e);
    }
    if (next == ENDED) {
      accepted.offer(ENDED);
      throw new IOException("allocation on " + server + " has ended: " + ended);
    }
    return next;
  }

  /** Opens a TCP connection to {@code peer} through the relay (RFC 6062 Connect, then ConnectionBind). */
  public RelayedConnection connect(InetSocketAddress peer) throws IOException {
    StunMessage response = request(StunMethod.CONNECT, b -> b.addAddress(StunAttributes.XOR_PEER_ADDRESS, peer));
    long id = response.u32(StunAttributes.CONNECTION_ID).orElseThrow(
        () -> new StunServerException(server.toString(), "Connect response without CONNECTION-ID"));
    return binder.bind(id, peer);
  }

  private StunMessage request(StunMethod method, java.util.function.Consumer<StunMessage.Builder> content)
      throws IOException {
    return auth.call(method, content, (request, key) -> control.exchange(request, key, settings.timeout()));
  }

  private void onIndication(StunMessage indication) {
    if (indication.method() != StunMethod.CONNECTION_ATTEMPT) {
      return;
    }
    Thread.ofVirtual().name("turn-bind " + server).start(() -> {
      try {
        long id = indication.u32(StunAttributes.CONNECTION_ID).orElseThrow(
            () -> new StunFormatException("ConnectionAttempt without CONNECTION-ID"));
        InetSocketAddress peer = indication.address(StunAttributes.XOR_PEER_ADDRESS).orElse(null);
        RelayedConnection connection = binder.bind(id, peer);
        if (ended != null || !accepted.offer(connection)) {
          log.warn("{}: relayed connection from {} dropped ({})", server, peer,
              ended != null ? "allocation ended" : "accept backlog full");
          connection.close();
        }
      } catch (IOException e) {
        log.warn("{}: relayed connection not bound: {}", server, e.getMessage());
      }
    });
  }

  private void onControlEnd(IOException cause) {
    end("control connection lost: " + cause.getMessage());
  }

  private void scheduleRefresh(Duration lifetime) {
    synchronized (lock) {
      if (ended == null) {
        timers.add(scheduler.schedule(() -> Thread.ofVirtual().start(() -> refresh(lifetime)),
            lifetime.toMillis() / 2, TimeUnit.MILLISECONDS));
      }
    }
  }

  /** Renews the allocation, asking to keep the lifetime the server granted last (without, coturn grants 600 s). */
  private void refresh(Duration lifetime) {
    try {
      StunMessage response = request(StunMethod.REFRESH, b -> b.addU32(StunAttributes.LIFETIME, lifetime.toSeconds()));
      refreshes.incrementAndGet();
      scheduleRefresh(lifetime(response));
    } catch (IOException e) {
      end("refresh failed: " + e.getMessage());
    }
  }

  private void refreshPermissions() {
    List<InetAddress> peers;
    synchronized (lock) {
      peers = List.copyOf(permitted);
    }
    try {
      request(StunMethod.CREATE_PERMISSION, b -> peers.forEach(
          ip -> b.addAddress(StunAttributes.XOR_PEER_ADDRESS, new InetSocketAddress(ip, 0))));
      permissionRefreshes.incrementAndGet();
    } catch (IOException e) {
      log.warn("{}: permission refresh failed: {}", server, e.getMessage());
    }
  }

  private void end(String reason) {
    synchronized (lock) {
      if (ended != null) {
        return;
      }
      ended = reason;
      timers.forEach(timer -> timer.cancel(false));
    }
    if (control != null) {
      control.close();
    }
    RelayedConnection waiting;
    while ((waiting = accepted.poll()) != null) {
      try {
        waiting.close();
      } catch (IOException ignored) {
        // closing a connection nobody accepted
      }
    }
    accepted.offer(ENDED);
    log.debug("{}: allocation {} ended: {}", server, relayed, reason);
  }

  /** Releases the allocation (Refresh with lifetime 0, bounded by the timeout) and closes everything; idempotent. */
  @Override
  public void close() {
    if (ended == null && relayed != null) {
      try {
        request(StunMethod.REFRESH, b -> b.addU32(StunAttributes.LIFETIME, 0));
      } catch (IOException e) {
        log.debug("{}: releasing allocation {}: {}", server, relayed, e.getMessage());
      }
    }
    end("closed");
  }
}
