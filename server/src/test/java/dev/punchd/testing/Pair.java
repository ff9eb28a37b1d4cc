package dev.punchd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.GetAddressesResponse;

/**
 * Two applications, each with its own sidecar, that exchanged addresses and fingerprints and asked their
 * sidecars to connect; {@link #awaitEstablished()} waits for both Established events.
 */
public final class Pair {
  public final SidecarApi a;
  public final SidecarApi b;
  public final GetAddressesResponse addressesA;
  public final GetAddressesResponse addressesB;
  public final EventRecorder eventsA;
  public final EventRecorder eventsB;

  private Pair(SidecarApi a, SidecarApi b, GetAddressesResponse addressesA, GetAddressesResponse addressesB) {
    this.a = a;
    this.b = b;
    this.addressesA = addressesA;
    this.addressesB = addressesB;
    this.eventsA = EventRecorder.subscribe(a.async(), addressesA.getConnectionId());
    this.eventsB = EventRecorder.subscribe(b.async(), addressesB.getConnectionId());
  }

  /** Allocates a connection on each sidecar and attempts both ways with what GetAddresses returned. */
  public static Pair attempt(SidecarApi a, SidecarApi b, ConnectionOptions options) {
    return allocateBoth(a, b, options).attemptBoth();
  }

  /** Allocates a connection on each sidecar and subscribes to both connections' events. */
  public static Pair allocateBoth(SidecarApi a, SidecarApi b, ConnectionOptions options) {
    return new Pair(a, b, allocate(a, options), allocate(b, options));
  }

  /** Asks each sidecar to connect toward everything the other's GetAddresses returned. */
  public Pair attemptBoth() {
    a.blocking().attemptConnection(attemptTowards(idA(), addressesB));
    b.blocking().attemptConnection(attemptTowards(idB(), addressesA));
    return this;
  }

  public static GetAddressesResponse allocate(SidecarApi sidecar, ConnectionOptions options) {
    return sidecar.blocking().getAddresses(GetAddressesRequest.newBuilder().setOptions(options).build());
  }

  /** An AttemptConnection toward everything the peer's GetAddresses returned. */
  public static AttemptConnectionRequest attemptTowards(String connectionId, GetAddressesResponse peer) {
    return AttemptConnectionRequest.newBuilder()
        .setConnectionId(connectionId)
        .addAllPeerAddresses(peer.getLocalAddressesList())
        .addAllPeerAddresses(peer.getPublicAddressesList())
        .setPeerFingerprint(peer.getFingerprint())
        .build();
  }

  public void awaitEstablished() throws InterruptedException {
    Event ea = eventsA.next();
    Event eb = eventsB.next();
    assertThat(ea.hasEstablished()).as("A's first event: %s", ea).isTrue();
    assertThat(eb.hasEstablished()).as("B's first event: %s", eb).isTrue();
    // Both sides kept the same TCP connection: each one's local address is the other's remote address.
    assertThat(ea.getEstablished().getRemoteAddress()).isEqualTo(eb.getEstablished().getLocalAddress());
    assertThat(eb.getEstablished().getRemoteAddress()).isEqualTo(ea.getEstablished().getLocalAddress());
  }

  public String idA() {
    return addressesA.getConnectionId();
  }

  public String idB() {
    return addressesB.getConnectionId();
  }
}
