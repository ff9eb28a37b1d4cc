package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.RecordingProxy.Direction;
import dev.punchd.testing.RelayedPair;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.transport.Keepalive;
import dev.punchd.v1.CloseInitiator;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.Event;
import dev.punchd.v1.SecurityMode;
import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Keepalive and dead-peer detection in SECURE mode, on loopback through a proxy that can turn into a black
 * hole (a NAT that lost its mapping): an idle connection outlives several peer timeouts, and once nothing gets
 * through both sides report the connection lost. (RAW mode relies on TCP keepalive, which a proxy answers; the
 * NAT lab covers it.)
 */
class DeadPeerTest {
  private static final Keepalive QUICK = new Keepalive(Duration.ofMillis(200), Duration.ofMillis(1000));

  @Test
  void pingsKeepAnIdleConnectionAliveAndASilentPeerIsReportedLost() throws Exception {
    try (TestSidecar a = TestSidecar.start(s -> s.withKeepalive(QUICK));
        TestSidecar b = TestSidecar.start(s -> s.withKeepalive(QUICK));
        RelayedPair relayed = RelayedPair.connect(a, b, SecurityMode.SECURE)) {
      relayed.awaitEstablished();
      StreamClient streamA = StreamClient.open(a.async(), relayed.idA());
      StreamClient streamB = StreamClient.open(b.async(), relayed.idB());

      // Idle for five peer timeouts: only the pings cross the proxy, and they keep the connection up.
      int before = relayed.proxy().recorded(Direction.TO_TARGET).length;
      assertThat(streamA.awaitEndOrNull(QUICK.peerTimeout().multipliedBy(5))).as("A's Stream while idle").isNull();
      assertThat(relayed.proxy().recorded(Direction.TO_TARGET).length)
          .as("keepalive bytes relayed A to B").isGreaterThan(before);
      assertThat(streamB.isEnded()).isFalse();

      relayed.proxy().blackHole();

      for (Event closed : new Event[] {relayed.eventsA().next(), relayed.eventsB().next()}) {
        assertThat(closed.hasClosed()).as("%s", closed).isTrue();
        assertThat(closed.getClosed().getReason()).isEqualTo(CloseReason.CONNECTION_LOST);
        assertThat(closed.getClosed().getInitiator()).isEqualTo(CloseInitiator.PEER);
        assertThat(closed.getClosed().getMessage()).contains("sent nothing");
      }
      assertThat(streamA.awaitEnd(Duration.ofSeconds(30)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(streamB.awaitEnd(Duration.ofSeconds(30)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }
}
