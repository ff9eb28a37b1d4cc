package dev.punchd.observe;

import static dev.punchd.observe.MetricsEndpointTest.metricsOnAnyPort;
import static dev.punchd.observe.MetricsEndpointTest.outcome;
import static dev.punchd.observe.MetricsEndpointTest.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.PrometheusScrape;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.SecurityMode;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Attempts that do not establish are counted under the outcome their Failed or Closed event names. */
class PunchOutcomeMetricsTest {
  private static final ConnectionOptions SHORT_RAW =
      ConnectionOptions.newBuilder().setSecurity(SecurityMode.RAW).setAttemptTimeoutMs(500).build();
  private static final ConnectionOptions SHORT_SECURE =
      ConnectionOptions.newBuilder().setSecurity(SecurityMode.SECURE).setAttemptTimeoutMs(1500).build();

  @Test
  void timeoutMismatchAndCancelAreEachCountedOnce() throws Exception {
    try (TestSidecar a = TestSidecar.start(s -> s, metricsOnAnyPort()); TestSidecar b = TestSidecar.start()) {
      String deadPort = "127.0.0.1:" + closedPort();

      GetAddressesResponse timingOut = Pair.allocate(a, SHORT_RAW);
      EventRecorder timeoutEvents = EventRecorder.subscribe(a.async(), timingOut.getConnectionId());
      a.blocking().attemptConnection(towards(timingOut.getConnectionId(), deadPort, ""));
      assertThat(timeoutEvents.next().getFailed().getReason()).isEqualTo(FailureReason.TIMEOUT);

      // A expects the fingerprint of another connection of B, so B's certificate does not match.
      GetAddressesResponse mismatching = Pair.allocate(a, SHORT_SECURE);
      GetAddressesResponse peer = Pair.allocate(b, SHORT_SECURE);
      GetAddressesResponse expected = sameTlsRole(b, mismatching.getFingerprint(), peer.getFingerprint());
      EventRecorder mismatchEvents = EventRecorder.subscribe(a.async(), mismatching.getConnectionId());
      a.blocking().attemptConnection(Pair.attemptTowards(mismatching.getConnectionId(), peer).toBuilder()
          .setPeerFingerprint(expected.getFingerprint()).build());
      b.blocking().attemptConnection(Pair.attemptTowards(peer.getConnectionId(), mismatching));
      assertThat(mismatchEvents.next().getFailed().getReason()).isEqualTo(FailureReason.FINGERPRINT_MISMATCH);

      GetAddressesResponse cancelled = Pair.allocate(a, ConnectionOptions.newBuilder()
          .setSecurity(SecurityMode.RAW).build());
      EventRecorder cancelEvents = EventRecorder.subscribe(a.async(), cancelled.getConnectionId());
      a.blocking().attemptConnection(towards(cancelled.getConnectionId(), deadPort, ""));
      a.blocking().close(CloseRequest.newBuilder().setConnectionId(cancelled.getConnectionId()).build());
      Event closed = cancelEvents.next();
      assertThat(closed.getClosed().getReason()).isEqualTo(CloseReason.APPLICATION);

      PrometheusScrape scrape = scrape(a);
      assertThat(scrape.value("punchd_punch_attempts_total", "transport", "tcp")).isEqualTo(3);
      assertThat(outcome(scrape, "timeout")).isEqualTo(1);
      assertThat(outcome(scrape, "fingerprint_mismatch")).isEqualTo(1);
      assertThat(outcome(scrape, "cancelled")).isEqualTo(1);
      assertThat(outcome(scrape, "established")).isZero();
      assertThat(outcome(scrape, "handshake_failed")).isZero();
      assertThat(outcome(scrape, "local_error")).isZero();
      assertThat(scrape.value("punchd_time_to_established_seconds_count", "transport", "tcp")).isZero();
      assertThat(scrape.value("punchd_connections_closed_total", "reason", "application")).isEqualTo(1);
      assertThat(scrape.value("punchd_connections", "state", "connecting")).isZero();
    }
  }

  private static AttemptConnectionRequest towards(String connectionId, String address, String fingerprint) {
    return AttemptConnectionRequest.newBuilder().setConnectionId(connectionId).addPeerAddresses(address)
        .setPeerFingerprint(fingerprint).build();
  }

  /**
   * Another connection of {@code sidecar} whose fingerprint puts {@code own} in the same TLS role as the
   * real peer's does (the lower fingerprint is the TLS client), so that the handshake runs and the
   * certificate check, not a role clash, is what fails.
   */
  private static GetAddressesResponse sameTlsRole(TestSidecar sidecar, String own, String peer) {
    for (int i = 0; i < 64; i++) {
      GetAddressesResponse candidate = Pair.allocate(sidecar, SHORT_SECURE);
      if (Integer.signum(own.compareTo(candidate.getFingerprint())) == Integer.signum(own.compareTo(peer))) {
        return candidate;
      }
    }
    throw new AssertionError("64 fresh fingerprints all on the other side of " + own);
  }

  /** A loopback port nobody listens on (bound, then released), so dials to it are refused. */
  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
