package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.engine.NatTraversal;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.RelayedPair;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.testing.TwoWayTransfer;
import dev.punchd.transport.Keepalive;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.Event;
import dev.punchd.v1.SecurityMode;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two sidecars with --resume-window whose only path runs through a loopback proxy: the proxy resets the path
 * mid-transfer, both sides punch a new one through it, and the Streams carry on.
 */
class PathResumeTest {
  private static final long SIZE = 16L << 20;

  @Test
  void aPathResetMidTransferResumesWithEveryByteOnceAndTheStreamsEndOk() throws Exception {
    try (TestSidecar a = TestSidecar.start(PathResumeTest::resuming);
        TestSidecar b = TestSidecar.start(PathResumeTest::resuming);
        RelayedPair relayed = RelayedPair.connect(a, b, SecurityMode.SECURE)) {
      relayed.awaitEstablished();
      StreamClient streamA = StreamClient.open(a.async(), relayed.idA());
      StreamClient streamB = StreamClient.open(b.async(), relayed.idB());
      TwoWayTransfer transfer = TwoWayTransfer.start(streamA, streamB, 1, 2, SIZE);

      transfer.awaitQuarterAtB();
      relayed.proxy().resetAll();

      transfer.assertCompletedIntact();
      Event movedA = relayed.eventsA().next();
      assertThat(movedA.hasPathChanged()).as("%s", movedA).isTrue();
      assertThat(movedA.getPathChanged().getOldRemoteAddress()).isEqualTo(HostPort.proxy(relayed));
      assertThat(movedA.getPathChanged().getRemoteAddress()).isEqualTo(HostPort.proxy(relayed));
      assertThat(movedA.getPathChanged().getLocalAddress()).isEqualTo(movedA.getPathChanged().getOldLocalAddress());
      assertThat(movedA.getPathChanged().getReason()).startsWith("path lost: ");
      Event movedB = relayed.eventsB().next();
      assertThat(movedB.hasPathChanged()).as("%s", movedB).isTrue();
      assertThat(movedB.getPathChanged().getRemoteAddress())
          .isNotEqualTo(movedB.getPathChanged().getOldRemoteAddress()); // the proxy's new upstream socket
      Event closedA = relayed.eventsA().next();
      assertThat(closedA.getClosed().getReason()).as("%s", closedA).isEqualTo(CloseReason.COMPLETED);
    }
  }

  @Test
  void aSideThatNoticesALossFirstBringsANewPathThatThePeerTakes() throws Exception {
    try (TestSidecar a = TestSidecar.start(settings -> resuming(settings)
            .withKeepalive(new Keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3))));
        TestSidecar b = TestSidecar.start(PathResumeTest::resuming); // notices a silent path only after 45 s
        RelayedPair relayed = RelayedPair.connect(a, b, SecurityMode.SECURE)) {
      relayed.awaitEstablished();
      StreamClient streamA = StreamClient.open(a.async(), relayed.idA());
      StreamClient streamB = StreamClient.open(b.async(), relayed.idB());
      TwoWayTransfer transfer = TwoWayTransfer.start(streamA, streamB, 3, 4, SIZE);

      transfer.awaitQuarterAtB();
      relayed.proxy().blackHoleExisting();

      transfer.assertCompletedIntact();
      Event movedA = relayed.eventsA().next();
      assertThat(movedA.getPathChanged().getReason()).as("%s", movedA).contains("sent nothing");
      Event movedB = relayed.eventsB().next();
      assertThat(movedB.getPathChanged().getReason()).as("%s", movedB).isEqualTo("the peer brought a new path");
    }
  }

  @Test
  void aPeerWithoutSessionsIsRefusedAtNominationBothSidesSayWhyAndNoByteReachesAStream() throws Exception {
    try (TestSidecar a = TestSidecar.start(PathResumeTest::resuming); TestSidecar b = TestSidecar.start();
        RelayedPair relayed = RelayedPair.connect(a, b, SecurityMode.SECURE)) {
      StreamClient streamB = StreamClient.open(b.async(), relayed.idB());

      // The controlled side refuses the other's NOMINATE. The controlling side does not wait for the controlled
      // one after its NOMINATE (and a session's OPEN), so it reports Established first; the refusing side's CLOSE
      // then ends it, naming the flag. A (sessions on) names it either way: it refused B, or B refused it.
      Event endA = terminal(relayed.eventsA());
      Event endB = terminal(relayed.eventsB());
      assertThat(endA.hasFailed() || endB.hasFailed()).as("A: %s B: %s", endA, endB).isTrue();
      assertThat(endA.toString()).as("the real cause, naming the flag").contains("--resume-window")
          .doesNotContain("TLS handshake failed")
          .containsAnyOf("wire protocol version 1, this side 3", "wire protocol version 3, this side 1");
      for (Event end : List.of(endA, endB)) {
        if (end.hasClosed()) {
          assertThat(end.getClosed().getReason()).as("%s", end).isEqualTo(CloseReason.CONNECTION_LOST);
          assertThat(end.getClosed().getMessage()).as("%s", end).contains("--resume-window");
        }
      }
      assertThat(streamB.awaitEnd(Duration.ofSeconds(30)).getCode()).isNotEqualTo(Status.Code.OK);
      assertThat(streamB.receivedBytes()).isZero();
    }
  }

  /** The first Failed or Closed event, after at most one Established. */
  private static Event terminal(EventRecorder events) throws InterruptedException {
    Event first = events.next(Duration.ofSeconds(30));
    return first.hasEstablished() ? events.next(Duration.ofSeconds(30)) : first;
  }

  /** Where A's paths lead: the proxy in front of B. */
  private static final class HostPort {
    static String proxy(RelayedPair relayed) {
      return "127.0.0.1:" + relayed.proxy().address().getPort();
    }
  }

  private static dev.punchd.engine.EngineSettings resuming(dev.punchd.engine.EngineSettings settings) {
    return settings.withTraversal(NatTraversal.NONE.withResumeWindow(Duration.ofSeconds(20)));
  }

}
