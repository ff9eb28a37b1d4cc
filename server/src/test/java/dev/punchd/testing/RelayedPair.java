package dev.punchd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.SecurityMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Two sidecars whose only path runs through a {@link RecordingProxy} in front of B: A dials the proxy, which
 * relays to B's port; B dials a closed port and so relies on accepting. The proxy sees, and can break, the
 * path. Closing closes the proxy.
 */
public record RelayedPair(RecordingProxy proxy, String idA, String idB, EventRecorder eventsA,
    EventRecorder eventsB) implements AutoCloseable {

  public static RelayedPair connect(SidecarApi a, SidecarApi b, SecurityMode mode) throws IOException {
    ConnectionOptions options = ConnectionOptions.newBuilder().setSecurity(mode).build();
    GetAddressesResponse addressesA = Pair.allocate(a, options);
    GetAddressesResponse addressesB = Pair.allocate(b, options);
    String portB = addressesB.getLocalAddressesList().stream().filter(address -> address.startsWith("127.0.0.1:"))
        .findFirst().orElseThrow().substring("127.0.0.1:".length());
    RecordingProxy proxy = RecordingProxy.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(portB)));
    RelayedPair relayed = new RelayedPair(proxy, addressesA.getConnectionId(), addressesB.getConnectionId(),
        EventRecorder.subscribe(a.async(), addressesA.getConnectionId()),
        EventRecorder.subscribe(b.async(), addressesB.getConnectionId()));
    a.blocking().attemptConnection(attempt(addressesA.getConnectionId(),
        "127.0.0.1:" + proxy.address().getPort(), addressesB.getFingerprint()));
    b.blocking().attemptConnection(attempt(addressesB.getConnectionId(),
        "127.0.0.1:" + closedLoopbackPort(), addressesA.getFingerprint()));
    return relayed;
  }

  public void awaitEstablished() throws InterruptedException {
    Event established = eventsA.next();
    assertThat(established.hasEstablished()).as("A: %s", established).isTrue();
    assertThat(established.getEstablished().getRemoteAddress()).isEqualTo("127.0.0.1:" + proxy.address().getPort());
    established = eventsB.next();
    assertThat(established.hasEstablished()).as("B: %s", established).isTrue();
  }

  @Override
  public void close() throws IOException {
    proxy.close();
  }

  private static AttemptConnectionRequest attempt(String connectionId, String peerAddress, String fingerprint) {
    return AttemptConnectionRequest.newBuilder().setConnectionId(connectionId).addPeerAddresses(peerAddress)
        .setPeerFingerprint(fingerprint).build();
  }

  /** A loopback port nothing listens on (just released by the OS). */
  private static int closedLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
