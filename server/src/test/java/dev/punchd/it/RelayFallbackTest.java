package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.Candidate;
import dev.punchd.v1.CandidateType;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Established;
import dev.punchd.v1.Event;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.NatMappingType;
import dev.punchd.v1.PathKind;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine with STUN and TURN against a real coturn on loopback: a peer that can only reach A through A's
 * relayed address connects (SECURE, the same handshake), data crosses intact both ways, Established and the
 * metrics say RELAY (on the dialling side too, given the typed candidate), and the allocation is released at
 * the end; direct paths win when they exist; a relay that refuses is named in GetAddresses and in Failed; STUN
 * reports the mapping of the connection's own port.
 */
class RelayFallbackTest {
  private static final String USER = "alice";
  private static final String PASSWORD = "relay-secret";
  private static final int SIZE = 4 << 20;
  private static final int CHUNK = 64 * 1024;
  private static Coturn coturn;

  @BeforeAll
  static void startCoturn() throws Exception {
    coturn = Coturn.start(USER, PASSWORD, Coturn.RFC5780);
  }

  @AfterAll
  static void stopCoturn() throws Exception {
    if (coturn != null) {
      coturn.close();
    }
  }

  private static UnaryOperator<EngineSettings> traversal(String password) {
    TurnServer turn = new TurnServer(coturn.address(), USER, password);
    return s -> s.withTraversal(NatTraversal.NONE.withServers(List.of(coturn.address()), List.of(turn))
        .withRelayAfter(Duration.ofMillis(300)));
  }

  @Test
  void peerThatOnlyReachesTheRelayedAddressConnectsThroughIt() throws Exception {
    SidecarOptions metrics = SidecarOptions.minimal().withMetrics(HostPort.parseListen("127.0.0.1:0"));
    try (TestSidecar a = TestSidecar.start(traversal(PASSWORD), metrics); TestSidecar b = TestSidecar.start()) {
      Pair pair = Pair.allocateBoth(a, b, ConnectionOptions.getDefaultInstance());
      Candidate relayed = only(pair.addressesA, CandidateType.RELAYED);
      assertThat(relayed.getSource()).isEqualTo("turn://" + USER + "@" + HostPort.format(coturn.address()));
      assertThat(pair.addressesA.getPublicAddressesList()).contains(relayed.getAddress());
      assertThat(pair.addressesA.getRelayErrorsList()).isEmpty();
      assertThat(pair.addressesA.toString()).doesNotContain(PASSWORD);

      // A's only peer address refuses (nothing listens there), but its IP is B's, so B gets a permission;
      // B is told nothing but A's relayed candidate, typed as GetAddresses returned it.
      a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idA())
          .addPeerAddresses("127.0.0.1:" + closedPort()).setPeerFingerprint(pair.addressesB.getFingerprint()).build());
      b.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idB())
          .addPeerCandidates(relayed).setPeerFingerprint(pair.addressesA.getFingerprint()).build());

      Established atA = established(pair.eventsA);
      Established atB = established(pair.eventsB);
      assertThat(atA.getPath()).isEqualTo(PathKind.RELAY);
      assertThat(atA.getRelay()).isEqualTo(relayed.getSource());
      assertThat(atA.getRemoteAddress()).isEqualTo(HostPort.format(coturn.address()));
      assertThat(atB.getRemoteAddress()).isEqualTo(relayed.getAddress());
      assertThat(atB.getPath()).isEqualTo(PathKind.RELAY); // B dialled it, and knew it was a relayed candidate
      assertThat(atB.getRelay()).isEqualTo(relayed.getSource());
      assertThat(atA.getEstablishMillis()).isGreaterThanOrEqualTo(300); // the relay waited for direct paths

      StreamClient streamA = StreamClient.open(a.async(), pair.idA());
      StreamClient streamB = StreamClient.open(b.async(), pair.idB());
      streamA.send(new RandomBytes(1), SIZE, CHUNK);
      Awaiting.until(Duration.ofSeconds(60), "B received A's bytes", () -> streamB.receivedBytes() == SIZE);
      streamB.send(new RandomBytes(2), SIZE, CHUNK);
      Awaiting.until(Duration.ofSeconds(60), "A received B's bytes", () -> streamA.receivedBytes() == SIZE);
      assertThat(streamB.receivedDigest()).isEqualTo(RandomBytes.digestOf(1, SIZE, CHUNK));
      assertThat(streamA.receivedDigest()).isEqualTo(RandomBytes.digestOf(2, SIZE, CHUNK));

      PrometheusScrape scrape = PrometheusScrape.of(a.sidecar().metricsAddress().orElseThrow());
      assertThat(scrape.value("punchd_relayed_connections_total")).isEqualTo(1);
      assertThat(scrape.value("punchd_relayed_sent_bytes_total")).isEqualTo(SIZE);
      assertThat(scrape.value("punchd_relayed_received_bytes_total")).isEqualTo(SIZE);

      a.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
      assertThat(streamB.awaitEnd(Duration.ofSeconds(30)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(streamB.receivedBytes()).isEqualTo(SIZE);
      awaitReleased(HostPort.parse(relayed.getAddress()));
    }
  }

  @Test
  void directPathWinsWhenThereIsOneAndTheAllocationIsReleased() throws Exception {
    try (TestSidecar a = TestSidecar.start(traversal(PASSWORD)); TestSidecar b = TestSidecar.start(traversal(PASSWORD))) {
      Pair pair = Pair.attempt(a, b, ConnectionOptions.getDefaultInstance());
      pair.awaitEstablished();
      // Pair.awaitEstablished took the events; ask again through a late subscriber, which replays them.
      Established atA = established(EventRecorder.subscribe(a.async(), pair.idA()));
      Established atB = established(EventRecorder.subscribe(b.async(), pair.idB()));
      assertThat(atA.getPath()).isEqualTo(PathKind.DIRECT);
      assertThat(atB.getPath()).isEqualTo(PathKind.DIRECT);
      assertThat(atA.getRelay()).isEmpty();
      awaitReleased(HostPort.parse(only(pair.addressesA, CandidateType.RELAYED).getAddress()));
      awaitReleased(HostPort.parse(only(pair.addressesB, CandidateType.RELAYED).getAddress()));
    }
  }

  @Test
  void refusingRelayIsNamedInGetAddressesAndInFailed() throws Exception {
    try (TestSidecar a = TestSidecar.start(traversal("wrong-password")); TestSidecar b = TestSidecar.start()) {
      Pair pair = Pair.allocateBoth(a, b, ConnectionOptions.newBuilder().setAttemptTimeoutMs(1000).build());
      String relay = "turn://" + USER + "@" + HostPort.format(coturn.address());
      assertThat(pair.addressesA.getRelayErrorsList()).singleElement().asString()
          .startsWith(relay + ": Allocate refused").contains("401").doesNotContain("wrong-password");
      assertThat(pair.addressesA.getCandidatesList()).noneMatch(c -> c.getType() == CandidateType.RELAYED);

      a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idA())
          .addPeerAddresses("127.0.0.1:" + closedPort()).setPeerFingerprint(pair.addressesB.getFingerprint()).build());
      Event failed = pair.eventsA.next(Duration.ofSeconds(10));
      assertThat(failed.getFailed().getReason()).isEqualTo(FailureReason.RELAY_FAILED);
      assertThat(failed.getFailed().getMessage()).contains(relay).contains("401").doesNotContain("wrong-password");
      assertThat(failed.getFailed().getAddressErrorsList()).anyMatch(e -> e.getAddress().equals(relay));
    }
  }

  @Test
  void aRelayOverItsQuotaIsNamedAndTheConnectionStillWorksDirectly() throws Exception {
    try (Coturn small = Coturn.start(USER, PASSWORD, "user-quota=1")) {
      TurnServer turn = new TurnServer(small.address(), USER, PASSWORD);
      UnaryOperator<EngineSettings> quota = s -> s.withTraversal(NatTraversal.NONE.withServers(List.of(),
          List.of(turn)));
      try (TestSidecar a = TestSidecar.start(quota); TestSidecar b = TestSidecar.start()) {
        GetAddressesResponse first = Pair.allocate(a, ConnectionOptions.getDefaultInstance());
        assertThat(first.getRelayErrorsList()).isEmpty();
        Pair pair = Pair.allocateBoth(a, b, ConnectionOptions.getDefaultInstance());
        assertThat(pair.addressesA.getRelayErrorsList()).singleElement().asString()
            .startsWith(turn + ": Allocate refused: 486");
        pair.attemptBoth().awaitEstablished();
      }
    }
  }

  @Test
  void stunReportsTheMappingOfTheConnectionsOwnPort() throws Exception {
    try (TestSidecar a = TestSidecar.start(traversal(PASSWORD)); TestSidecar plain = TestSidecar.start()) {
      GetAddressesResponse addresses = Pair.allocate(a, ConnectionOptions.getDefaultInstance());
      String localPort = addresses.getLocalAddresses(0).replaceAll("^.*:", "");
      Candidate mapped = only(addresses, CandidateType.SERVER_REFLEXIVE);
      assertThat(mapped.getAddress()).isEqualTo("127.0.0.1:" + localPort);
      assertThat(mapped.getSource()).isEqualTo("stun://" + HostPort.format(coturn.address()));
      assertThat(addresses.getNat().getMapping()).isEqualTo(NatMappingType.ENDPOINT_INDEPENDENT);
      assertThat(addresses.getNat().getPortPreserved()).isTrue();
      assertThat(addresses.getDiscoveryError()).isEmpty();

      // Without --stun/--turn: the same public addresses as before (none here), and the NAT is said unknown.
      GetAddressesResponse without = Pair.allocate(plain, ConnectionOptions.getDefaultInstance());
      assertThat(without.getPublicAddressesList()).isEmpty();
      assertThat(without.getCandidatesList()).allMatch(c -> c.getType() == CandidateType.HOST);
      assertThat(without.getNat().getMapping()).isEqualTo(NatMappingType.NAT_MAPPING_UNKNOWN);
      assertThat(without.getNat().getDetail()).contains("no STUN server configured");
    }
  }

  @Test
  void aMalformedPeerCandidateIsRefusedNamingIt() throws Exception {
    try (TestSidecar a = TestSidecar.start()) {
      GetAddressesResponse addresses = Pair.allocate(a, ConnectionOptions.getDefaultInstance());
      AttemptConnectionRequest request = AttemptConnectionRequest.newBuilder()
          .setConnectionId(addresses.getConnectionId()).setPeerFingerprint("ab".repeat(32))
          .addPeerCandidates(Candidate.newBuilder().setAddress("203.0.113.9:99999").setType(CandidateType.RELAYED))
          .build();
      assertThatThrownBy(() -> a.blocking().attemptConnection(request))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("'203.0.113.9:99999'");
          });
    }
  }

  private static Candidate only(GetAddressesResponse addresses, CandidateType type) {
    List<Candidate> found = addresses.getCandidatesList().stream().filter(c -> c.getType() == type).toList();
    assertThat(found).as("%s candidates in %s", type, addresses).hasSize(1);
    return found.get(0);
  }

  private static Established established(EventRecorder events) throws InterruptedException {
    Event event = events.next(Duration.ofSeconds(20));
    assertThat(event.hasEstablished()).as("first event: %s", event).isTrue();
    return event.getEstablished();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** coturn stops listening on a relayed address once its allocation is released. */
  private static void awaitReleased(InetSocketAddress relayed) {
    Awaiting.until(Duration.ofSeconds(10), "allocation " + relayed + " released", () -> {
      try (Socket socket = new Socket()) {
        socket.connect(relayed, 1000);
        return false;
      } catch (IOException refused) {
        return true;
      }
    });
  }
}
