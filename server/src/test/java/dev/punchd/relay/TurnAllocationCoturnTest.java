package dev.punchd.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.stun.Dialer;
import dev.punchd.stun.StunServerException;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.Coturn;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP allocations (RFC 6062) against a real coturn on loopback. */
@Timeout(120)
class TurnAllocationCoturnTest {
  private static final int MIB = 1024 * 1024;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private Coturn coturn;

  @AfterEach
  void stop() throws Exception {
    scheduler.shutdownNow();
    if (coturn != null) {
      coturn.close();
    }
  }

  private TurnAllocation allocate(String password) throws IOException {
    return allocate(password, TurnSettings.DEFAULTS);
  }

  private TurnAllocation allocate(String password, TurnSettings settings) throws IOException {
    return TurnAllocation.allocate(new TurnServer(coturn.address(), "alice", password), Dialer.ephemeral(),
        settings, scheduler);
  }

  private static RelayedConnection acceptWithin(TurnAllocation allocation, Duration timeout) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return allocation.accept();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, Executors.newVirtualThreadPerTaskExecutor()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A connection from 127.0.0.1 to {@code relayed} is refused, reset or closed by the relay within 5 s; no byte
   * comes back (a connection let in would stay open, waiting for ours).
   */
  private static void assertNotLetIn(InetSocketAddress relayed) {
    int first;
    try (Socket stranger = dial(relayed)) {
      stranger.setSoTimeout(5000);
      stranger.getOutputStream().write("let me in".getBytes(StandardCharsets.US_ASCII));
      first = stranger.getInputStream().read();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the relay kept a peer without permission connected for 5 s", e);
    } catch (IOException refusedOrReset) {
      return;
    }
    assertThat(first).as("what the relay passed back").isEqualTo(-1);
  }

  private static Socket dial(InetSocketAddress address) throws IOException {
    Socket socket = new Socket();
    socket.connect(address, 5000);
    return socket;
  }

  @Test
  void aPermittedPeerDialingTheRelayedAddressReachesUsWithBytesIntactBothWays() throws Exception {
    coturn = Coturn.start("alice", "secret");
    try (TurnAllocation allocation = allocate("secret")) {
      InetSocketAddress relayed = allocation.relayedAddress();
      assertThat(relayed.getAddress()).isEqualTo(LOOPBACK);
      assertThat(relayed.getPort()).isNotEqualTo(coturn.address().getPort());
      assertThat(allocation.mappedAddress().getAddress()).isEqualTo(LOOPBACK);
      allocation.permit(List.of(LOOPBACK));

      try (Socket peer = dial(relayed); RelayedConnection ours = acceptWithin(allocation, Duration.ofSeconds(5))) {
        assertThat(ours.peer()).isEqualTo(peer.getLocalSocketAddress());
        assertThat(ours.relay().toString()).isEqualTo("turn://alice@127.0.0.1:" + coturn.address().getPort());
        Duration took = TwoWayTransfer.run(peer, ours.socket(), 4 * MIB);
        System.out.printf("coturn TCP relay: 4 MiB one way, then 4 MiB back, in %d ms (%.0f MB/s)%n",
            took.toMillis(), 8.0 * MIB / 1e6 / (took.toNanos() / 1e9));
      }
    }
  }

  @Test
  void connectReachesAListeningPeerThroughTheRelay() throws Exception {
    coturn = Coturn.start("alice", "secret");
    try (TurnAllocation allocation = allocate("secret"); ServerSocket peerListener = new ServerSocket(0, 1, LOOPBACK)) {
      allocation.permit(List.of(LOOPBACK));
      InetSocketAddress peerAddress = (InetSocketAddress) peerListener.getLocalSocketAddress();
      peerListener.setSoTimeout(5000);
      try (RelayedConnection ours = allocation.connect(peerAddress); Socket peer = peerListener.accept()) {
        assertThat(peer.getRemoteSocketAddress()).isEqualTo(allocation.relayedAddress());
        assertThat(ours.peer()).isEqualTo(peerAddress);
        TwoWayTransfer.run(ours.socket(), peer, MIB);
      }
    }
  }

  @Test
  void aPeerWithoutPermissionIsNotLetIn() throws Exception {
    coturn = Coturn.start("alice", "secret");
    try (TurnAllocation allocation = allocate("secret")) {
      allocation.permit(List.of(InetAddress.getByName("127.0.0.2")));
      assertNotLetIn(allocation.relayedAddress());
      // A permitted peer (127.0.0.2) is let in, and it is the first connection accept() sees.
      Socket friend = new Socket();
      friend.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
      try (friend) {
        friend.connect(allocation.relayedAddress(), 5000);
        try (RelayedConnection first = acceptWithin(allocation, Duration.ofSeconds(5))) {
          assertThat(first.peer()).isEqualTo(friend.getLocalSocketAddress());
        }
      }
    }
  }

  @Test
  void coturnTurnsAPeersHalfCloseIntoAResetOfOurSide() throws Exception {
    coturn = Coturn.start("alice", "secret");
    try (TurnAllocation allocation = allocate("secret")) {
      allocation.permit(List.of(LOOPBACK));
      try (Socket peer = dial(allocation.relayedAddress());
          RelayedConnection ours = acceptWithin(allocation, Duration.ofSeconds(5))) {
        TwoWayTransfer.run(peer, ours.socket(), 1024);
        peer.shutdownOutput();
        ours.socket().setSoTimeout(5000);
        // Not an end of stream (-1) followed by a still-open way back: TCP half-close does not cross coturn.
        assertThatThrownBy(() -> ours.socket().getInputStream().read())
            .isInstanceOf(java.net.SocketException.class).hasMessageContaining("reset");
      }
    }
  }

  @Test
  void wrongCredentialsAreAClearErrorNamingTheServer() throws Exception {
    coturn = Coturn.start("alice", "secret");
    assertThatThrownBy(() -> allocate("not-the-secret"))
        .isInstanceOfSatisfying(StunServerException.class, e -> assertThat(e.error()).hasValueSatisfying(
            error -> assertThat(error.code()).isEqualTo(401)))
        .hasMessageContaining("turn://alice@127.0.0.1:" + coturn.address().getPort())
        .hasMessageContaining("Allocate refused: credentials rejected for user 'alice' in realm 'punchd.test'")
        .hasMessageContaining("401");
  }

  @Test
  void aFullQuotaIsAClearError() throws Exception {
    coturn = Coturn.start("alice", "secret", "user-quota=1");
    try (TurnAllocation first = allocate("secret")) {
      assertThatThrownBy(() -> allocate("secret"))
          .isInstanceOf(StunServerException.class)
          .hasMessageContaining("turn://alice@127.0.0.1:" + coturn.address().getPort() + ": Allocate refused: 486");
    }
  }

  @Test
  void connectToAClosedPortIsAClearError() throws Exception {
    coturn = Coturn.start("alice", "secret");
    InetSocketAddress closed;
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      closed = (InetSocketAddress) socket.getLocalSocketAddress();
    }
    try (TurnAllocation allocation = allocate("secret")) {
      allocation.permit(List.of(LOOPBACK));
      InetSocketAddress peer = closed;
      assertThatThrownBy(() -> allocation.connect(peer))
          .isInstanceOf(StunServerException.class)
          .hasMessageContaining("turn://alice@127.0.0.1:" + coturn.address().getPort() + ": Connect refused: 447");
    }
  }

  @Test
  void refreshesKeepAShortAllocationAndItsPermissionsAliveThroughStaleNonces() throws Exception {
    // Allocations and permissions live 2 s, nonces 1 s: without refreshes, or without retrying a 438, no peer
    // gets in after 3 s. The control allocation renews its allocation but not its permissions.
    coturn = Coturn.start("alice", "secret", "max-allocate-lifetime=2", "permission-lifetime=2", "stale-nonce=1");
    TurnSettings quick = new TurnSettings(Duration.ofSeconds(5), Duration.ofMillis(500), 4);
    TurnSettings never = new TurnSettings(Duration.ofSeconds(5), Duration.ofHours(1), 4);
    try (TurnAllocation allocation = allocate("secret", quick); TurnAllocation control = allocate("secret", never)) {
      allocation.permit(List.of(LOOPBACK));
      control.permit(List.of(LOOPBACK));
      Awaiting.until(Duration.ofSeconds(20), "an allocation refresh and 6 permission refreshes (3 s)",
          () -> allocation.refreshes() >= 1 && allocation.permissionRefreshes() >= 6);
      try (Socket peer = dial(allocation.relayedAddress());
          RelayedConnection ours = acceptWithin(allocation, Duration.ofSeconds(5))) {
        TwoWayTransfer.run(peer, ours.socket(), 64 * 1024);
      }
      assertThat(control.refreshes()).isGreaterThanOrEqualTo(1);
      assertNotLetIn(control.relayedAddress());
    }
  }
}
