package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.SidecarOptions;
import dev.punchd.engine.EngineSettings;
import dev.punchd.engine.HostPort;
import dev.punchd.engine.NatTraversal;
import dev.punchd.relay.TurnServer;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.Coturn;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.PrometheusScrape;
import dev.punchd.testing.RecordingProxy;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.testing.TwoWayTransfer;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.Candidate;
import dev.punchd.v1.CandidateType;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.PathChanged;
import dev.punchd.v1.PathKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A connection that starts on a TURN relay (coturn on loopback) because the direct path is blocked moves to
 * the direct path once it is allowed, mid-transfer, and the allocation is released; a relayed path that breaks
 * while the direct path is still blocked resumes through the relay (A's allocation, which B reaches through a
 * proxy that can reset the path) and later moves to the direct path all the same, its bytes counted as relayed
 * only while relayed. A session established directly releases its allocations, unless both sides keep them
 * ({@code --keep-relay}): then a direct path that breaks while direct is refused resumes through a relay.
 */
class RelayUpgradeTest {
  private static final long SIZE = 16L << 20;

  @Test
  void aRelayedTransferMovesToTheDirectPathOnceItOpens() throws Exception {
    try (Coturn coturn = Coturn.start("alice", "relay-secret", Coturn.RFC5780);
        TestSidecar a = TestSidecar.start(s -> withSessions(s, coturn));
        TestSidecar b = TestSidecar.start(s -> withSessions(s, null))) {
      Pair pair = Pair.allocateBoth(a, b, ConnectionOptions.getDefaultInstance());
      Candidate relayed = relayedCandidateOfA(pair);
      try (RecordingProxy direct = proxyToB(pair)) {
        direct.refuseNew(true); // the direct path is blocked at first
        attemptThrough(a, pair, direct);
        b.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idB())
            .addPeerCandidates(relayed).setPeerFingerprint(pair.addressesA.getFingerprint()).build());
        assertThat(pair.eventsA.next().getEstablished().getPath()).isEqualTo(PathKind.RELAY);
        assertThat(pair.eventsB.next().getEstablished().getPath()).isEqualTo(PathKind.RELAY);

        StreamClient streamA = StreamClient.open(a.async(), pair.idA());
        StreamClient streamB = StreamClient.open(b.async(), pair.idB());
        TwoWayTransfer transfer = TwoWayTransfer.start(streamA, streamB, 1, 2, SIZE);
        transfer.awaitQuarterAtB();
        direct.refuseNew(false);

        PathChanged movedA = pair.eventsA.next(Duration.ofSeconds(60)).getPathChanged();
        assertThat(movedA.getOldPath()).as("%s", movedA).isEqualTo(PathKind.RELAY);
        assertThat(movedA.getPath()).isEqualTo(PathKind.DIRECT);
        assertThat(movedA.getRemoteAddress()).isEqualTo(HostPort.format(direct.address()));
        assertThat(movedA.getReason()).isEqualTo("a direct path completed");
        Event movedB = pair.eventsB.next(Duration.ofSeconds(60));
        assertThat(movedB.getPathChanged().getOldPath()).as("%s", movedB).isEqualTo(PathKind.RELAY);
        awaitReleased(HostPort.parse(relayed.getAddress()));

        transfer.assertCompletedIntact();
      }
    }
  }

  @Test
  void aRelayedPathThatBreaksWhileDirectIsRefusedResumesThroughTheRelayAndLaterMovesToDirect() throws Exception {
    try (Coturn coturn = Coturn.start("alice", "relay-secret", Coturn.RFC5780);
        TestSidecar a = TestSidecar.start(s -> withSessions(s, coturn), withMetrics());
        TestSidecar b = TestSidecar.start(s -> withSessions(s, null))) {
      Pair pair = Pair.allocateBoth(a, b, ConnectionOptions.getDefaultInstance());
      Candidate relayed = relayedCandidateOfA(pair);
      CompletableFuture<Void> direct = new CompletableFuture<>();
      try (RecordingProxy toB = proxyToB(pair);
          RecordingProxy toRelay = RecordingProxy.start(HostPort.parse(relayed.getAddress()))) {
        toB.refuseNew(true); // the direct path stays blocked until the relay has carried a resumed path
        attemptThrough(a, pair, toB);
        b.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idB())
            .addPeerCandidates(relayed.toBuilder().setAddress(HostPort.format(toRelay.address())))
            .setPeerFingerprint(pair.addressesA.getFingerprint()).build());
        assertThat(pair.eventsA.next().getEstablished().getPath()).isEqualTo(PathKind.RELAY);
        assertThat(pair.eventsB.next().getEstablished().getPath()).isEqualTo(PathKind.RELAY);

        StreamClient streamA = StreamClient.open(a.async(), pair.idA());
        StreamClient streamB = StreamClient.open(b.async(), pair.idB());
        TwoWayTransfer transfer = TwoWayTransfer.start(streamA, streamB, 5, 6, SIZE, sent -> {
          if (sent >= SIZE / 2 && !direct.isDone()) {
            awaitQuietly(direct); // the second half waits for the move to direct, so it happens mid-transfer
          }
        });
        transfer.awaitQuarterAtB();
        toRelay.resetAll(); // the relayed path breaks; coturn drops A's side of it too

        for (EventRecorder events : new EventRecorder[] {pair.eventsA, pair.eventsB}) {
          Event resumed = events.next(Duration.ofSeconds(30));
          assertThat(resumed.getPathChanged().getOldPath()).as("%s", resumed).isEqualTo(PathKind.RELAY);
          assertThat(resumed.getPathChanged().getPath()).as("%s", resumed).isEqualTo(PathKind.RELAY);
        }
        toB.refuseNew(false);

        PathChanged movedA = pair.eventsA.next(Duration.ofSeconds(60)).getPathChanged();
        assertThat(movedA.getOldPath()).as("%s", movedA).isEqualTo(PathKind.RELAY);
        assertThat(movedA.getPath()).isEqualTo(PathKind.DIRECT);
        assertThat(movedA.getReason()).isEqualTo("a direct path completed");
        PathChanged movedB = pair.eventsB.next(Duration.ofSeconds(60)).getPathChanged();
        assertThat(movedB.getPath()).as("%s", movedB).isEqualTo(PathKind.DIRECT);
        direct.complete(null);
        awaitReleased(HostPort.parse(relayed.getAddress()));

        transfer.assertCompletedIntact();
        assertClosedCompleted(pair);
        // A's allocation carried the path twice (established, resumed), then the second half went direct.
        PrometheusScrape scrape = PrometheusScrape.of(a.sidecar().metricsAddress().orElseThrow());
        assertThat(scrape.value("punchd_relayed_connections_total")).isEqualTo(1);
        assertThat(scrape.value("punchd_relayed_sent_bytes_total")).isBetween(SIZE / 4.0, SIZE - 1.0);
        assertThat(scrape.value("punchd_relayed_received_bytes_total")).isBetween(1.0, SIZE - 1.0);
      } finally {
        direct.complete(null); // a sender waiting for a move that failed goes on
      }
    }
  }

  @Test
  void aSessionEstablishedDirectlyReleasesItsAllocations() throws Exception {
    try (Coturn coturn = Coturn.start("alice", "relay-secret", Coturn.RFC5780);
        TestSidecar a = TestSidecar.start(s -> withSessions(s, coturn));
        TestSidecar b = TestSidecar.start(s -> withSessions(s, coturn))) {
      Pair pair = Pair.allocateBoth(a, b, ConnectionOptions.getDefaultInstance());
      try (RecordingProxy toB = proxyToB(pair)) {
        establishDirectlyWithRelayedCandidates(a, b, pair, toB);

        awaitReleased(HostPort.parse(relayedCandidate(pair.addressesA).getAddress()));
        awaitReleased(HostPort.parse(relayedCandidate(pair.addressesB).getAddress()));
      }
    }
  }

  @Test
  void withKeepRelayADirectPathThatBreaksWhileDirectIsRefusedResumesThroughTheRelay() throws Exception {
    try (Coturn coturn = Coturn.start("alice", "relay-secret", Coturn.RFC5780);
        TestSidecar a = TestSidecar.start(s -> keepingRelay(withSessions(s, coturn)), withMetrics());
        TestSidecar b = TestSidecar.start(s -> keepingRelay(withSessions(s, coturn)), withMetrics())) {
      Pair pair = Pair.allocateBoth(a, b, ConnectionOptions.getDefaultInstance());
      CompletableFuture<Void> relayed = new CompletableFuture<>();
      try (RecordingProxy toB = proxyToB(pair)) {
        establishDirectlyWithRelayedCandidates(a, b, pair, toB);

        StreamClient streamA = StreamClient.open(a.async(), pair.idA());
        StreamClient streamB = StreamClient.open(b.async(), pair.idB());
        TwoWayTransfer transfer = TwoWayTransfer.start(streamA, streamB, 7, 8, SIZE, sent -> {
          if (sent >= SIZE / 2 && !relayed.isDone()) {
            awaitQuietly(relayed); // the second half waits for the resume, so the relay carries it
          }
        });
        // The reset comes once both first halves have arrived, so little is unacknowledged then: the resend of
        // up to the direct window (1 MiB) at once through coturn is a known gap (design notes), not tested here.
        transfer.awaitReceivedAtBoth(SIZE / 2);
        toB.refuseNew(true); // direct stays refused: only a relay can carry the rest
        toB.resetAll();

        for (EventRecorder events : new EventRecorder[] {pair.eventsA, pair.eventsB}) {
          Event resumed = events.next(Duration.ofSeconds(30));
          assertThat(resumed.getPathChanged().getOldPath()).as("%s", resumed).isEqualTo(PathKind.DIRECT);
          assertThat(resumed.getPathChanged().getPath()).as("%s", resumed).isEqualTo(PathKind.RELAY);
        }
        relayed.complete(null);
        transfer.assertCompletedIntact();
        assertClosedCompleted(pair);
        // The path resumed through one side's allocation (either): that side counts it and at least the second
        // halves (all of a direction that had not got going before the reset).
        PrometheusScrape scrapeA = PrometheusScrape.of(a.sidecar().metricsAddress().orElseThrow());
        PrometheusScrape scrapeB = PrometheusScrape.of(b.sidecar().metricsAddress().orElseThrow());
        assertThat(scrapeA.value("punchd_relayed_connections_total")
            + scrapeB.value("punchd_relayed_connections_total")).isEqualTo(1);
        assertThat(scrapeA.value("punchd_relayed_sent_bytes_total") + scrapeB.value("punchd_relayed_sent_bytes_total"))
            .isBetween(SIZE / 2.0, (double) SIZE);
        assertThat(scrapeA.value("punchd_relayed_received_bytes_total")
            + scrapeB.value("punchd_relayed_received_bytes_total")).isBetween(SIZE / 2.0, (double) SIZE);
      } finally {
        relayed.complete(null); // a sender waiting for a resume that failed goes on
      }
    }
  }

  /**
   * A dials B's direct address through {@code toB} and B's relayed candidate, B dials A's relayed candidate only;
   * the direct path wins (the relayed candidates wait out --relay-after) on both sides.
   */
  private static void establishDirectlyWithRelayedCandidates(TestSidecar a, TestSidecar b, Pair pair,
      RecordingProxy toB) throws InterruptedException {
    a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idA())
        .addPeerAddresses(HostPort.format(toB.address())).addPeerCandidates(relayedCandidate(pair.addressesB))
        .setPeerFingerprint(pair.addressesB.getFingerprint()).build());
    b.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idB())
        .addPeerCandidates(relayedCandidate(pair.addressesA)).setPeerFingerprint(pair.addressesA.getFingerprint())
        .build());
    assertThat(pair.eventsA.next().getEstablished().getPath()).isEqualTo(PathKind.DIRECT);
    assertThat(pair.eventsB.next().getEstablished().getPath()).isEqualTo(PathKind.DIRECT);
  }

  private static void assertClosedCompleted(Pair pair) throws InterruptedException {
    for (EventRecorder events : new EventRecorder[] {pair.eventsA, pair.eventsB}) {
      Event closed = events.next(Duration.ofSeconds(30));
      assertThat(closed.getClosed().getReason()).as("%s", closed).isEqualTo(CloseReason.COMPLETED);
    }
  }

  private static Candidate relayedCandidateOfA(Pair pair) {
    return relayedCandidate(pair.addressesA);
  }

  private static Candidate relayedCandidate(GetAddressesResponse addresses) {
    return addresses.getCandidatesList().stream()
        .filter(c -> c.getType() == CandidateType.RELAYED).findFirst().orElseThrow();
  }

  /** A proxy in front of B's loopback address: the only direct path A is given. */
  private static RecordingProxy proxyToB(Pair pair) throws IOException {
    String portB = pair.addressesB.getLocalAddressesList().stream().filter(x -> x.startsWith("127.0.0.1:"))
        .findFirst().orElseThrow().substring("127.0.0.1:".length());
    return RecordingProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(portB)));
  }

  /** A's AttemptConnection toward B through {@code direct} only. */
  private static void attemptThrough(TestSidecar a, Pair pair, RecordingProxy direct) {
    a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idA())
        .addPeerAddresses(HostPort.format(direct.address())).setPeerFingerprint(pair.addressesB.getFingerprint())
        .build());
  }

  private static void awaitQuietly(CompletableFuture<Void> moved) throws InterruptedException {
    try {
      moved.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException | TimeoutException e) {
      // the test fails on the move itself; the sender just goes on
    }
  }

  private static EngineSettings withSessions(EngineSettings settings, Coturn coturn) {
    NatTraversal traversal = coturn == null ? NatTraversal.NONE : NatTraversal.NONE.withServers(
        List.of(coturn.address()), List.of(new TurnServer(coturn.address(), "alice", "relay-secret")))
        .withRelayAfter(Duration.ofMillis(300));
    return settings.withTraversal(traversal.withResumeWindow(Duration.ofSeconds(20)));
  }

  private static SidecarOptions withMetrics() {
    return SidecarOptions.minimal().withMetrics(HostPort.parseListen("127.0.0.1:0"));
  }

  private static EngineSettings keepingRelay(EngineSettings settings) {
    return settings.withTraversal(settings.traversal().withKeepRelay(true));
  }


  private static void awaitReleased(InetSocketAddress relayedAddress) {
    Awaiting.until(Duration.ofSeconds(10), "allocation " + relayedAddress + " released", () -> {
      try (Socket socket = new Socket()) {
        socket.connect(relayedAddress, 1000);
        return false;
      } catch (IOException refused) {
        return true;
      }
    });
  }
}
