package dev.punchd.bench.app;

import dev.punchd.bench.app.OutcomeWatcher.Outcome;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.GetAddressesResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two applications' view of connecting through their sidecars A and B: allocate on both, exchange addresses
 * and fingerprints (in memory: this is the signalling), attempt, and wait for Established on both. Thread-safe.
 */
public final class Connector {
  private final SidecarClient a;
  private final SidecarClient b;
  private final OutcomeWatcher eventsA;
  private final OutcomeWatcher eventsB;

  public Connector(SidecarClient a, SidecarClient b) {
    this.a = a;
    this.b = b;
    this.eventsA = OutcomeWatcher.subscribe(a);
    this.eventsB = OutcomeWatcher.subscribe(b);
  }

  /** Two allocated connections, one per side, that know each other's addresses. */
  public record Allocated(GetAddressesResponse atA, GetAddressesResponse atB) {
    public String idA() {
      return atA.getConnectionId();
    }

    public String idB() {
      return atB.getConnectionId();
    }
  }

  public Allocated allocate(ConnectionOptions options) {
    GetAddressesRequest request = GetAddressesRequest.newBuilder().setOptions(options).build();
    return new Allocated(a.blocking().getAddresses(request), b.blocking().getAddresses(request));
  }

  /** A's AttemptConnection toward B's addresses. */
  public void attemptFromA(Allocated pair) {
    a.blocking().attemptConnection(towards(pair.idA(), pair.atB()));
  }

  /** B's AttemptConnection toward A's addresses. */
  public void attemptFromB(Allocated pair) {
    b.blocking().attemptConnection(towards(pair.idB(), pair.atA()));
  }

  public CompletableFuture<Outcome> outcomeAtA(Allocated pair) {
    return eventsA.outcome(pair.idA());
  }

  public CompletableFuture<Outcome> outcomeAtB(Allocated pair) {
    return eventsB.outcome(pair.idB());
  }

  /** Closes both sides' connections (in any state). */
  public void close(Allocated pair) {
    a.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
    b.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idB()).build());
  }

  /** Allocates, attempts from both sides, and waits (at most {@code timeout}) for Established on both. */
  public Allocated connect(ConnectionOptions options, Duration timeout) throws Exception {
    Allocated pair = allocate(options);
    CompletableFuture<Outcome> atA = outcomeAtA(pair);
    CompletableFuture<Outcome> atB = outcomeAtB(pair);
    attemptFromA(pair);
    attemptFromB(pair);
    requireEstablished(atA.get(timeout.toMillis(), TimeUnit.MILLISECONDS), "A");
    requireEstablished(atB.get(timeout.toMillis(), TimeUnit.MILLISECONDS), "B");
    return pair;
  }

  private static void requireEstablished(Outcome outcome, String side) {
    if (!outcome.established()) {
      throw new IllegalStateException("side " + side + " did not establish: " + outcome.event());
    }
  }

  private static AttemptConnectionRequest towards(String connectionId, GetAddressesResponse peer) {
    return AttemptConnectionRequest.newBuilder()
        .setConnectionId(connectionId)
        .addAllPeerAddresses(peer.getLocalAddressesList())
        .addAllPeerAddresses(peer.getPublicAddressesList())
        .setPeerFingerprint(peer.getFingerprint())
        .build();
  }
}
