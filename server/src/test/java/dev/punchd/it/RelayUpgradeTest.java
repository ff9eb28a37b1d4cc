package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.engine.EngineSettings;
import dev.punchd.engine.HostPort;
import dev.punchd.engine.NatTraversal;
import dev.punchd.relay.TurnServer;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.Coturn;
import dev.punchd.testing.Pair;
import dev.punchd.testing.RecordingProxy;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.testing.TwoWayTransfer;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.Candidate;
import dev.punchd.v1.CandidateType;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.PathChanged;
import dev.punchd.v1.PathKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection that starts on a TURN relay (coturn on loopback) because the direct path is blocked moves to
 * the direct path once it is allowed, mid-transfer, and the allocation is released.
 */
class RelayUpgradeTest {
  private static final long SIZE = 16L << 20;

  @Test
  void aRelayedTransferMovesToTheDirectPathOnceItOpens() throws Exception {
    try (Coturn coturn = Coturn.start("alice", "relay-secret", Coturn.RFC5780);
        TestSidecar a = TestSidecar.start(s -> withSessions(s, coturn));
        TestSidecar b = TestSidecar.start(s -> withSessions(s, null))) {
      Pair pair = Pair.allocateBoth(a, b, ConnectionOptions.getDefaultInstance());
      Candidate relayed = pair.addressesA.getCandidatesList().stream()
          .filter(c -> c.getType() == CandidateType.RELAYED).findFirst().orElseThrow();
      String portB = pair.addressesB.getLocalAddressesList().stream().filter(x -> x.startsWith("127.0.0.1:"))
          .findFirst().orElseThrow().substring("127.0.0.1:".length());
      try (RecordingProxy direct = RecordingProxy.start(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(portB)))) {
        direct.refuseNew(true); // the direct path is blocked at first
        a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(pair.idA())
            .addPeerAddresses(HostPort.format(direct.address())).setPeerFingerprint(pair.addressesB.getFingerprint())
            .build());
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

  private static EngineSettings withSessions(EngineSettings settings, Coturn coturn) {
    NatTraversal traversal = coturn == null ? NatTraversal.NONE : NatTraversal.NONE.withServers(
        List.of(coturn.address()), List.of(new TurnServer(coturn.address(), "alice", "relay-secret")))
        .withRelayAfter(Duration.ofMillis(300));
    return settings.withTraversal(traversal.withResumeWindow(Duration.ofSeconds(20)));
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
