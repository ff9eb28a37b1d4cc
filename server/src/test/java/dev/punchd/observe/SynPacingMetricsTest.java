package dev.punchd.observe;

import static dev.punchd.observe.MetricsEndpointTest.metricsOnAnyPort;
import static dev.punchd.observe.MetricsEndpointTest.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.SecurityMode;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A loopback address that refuses for the whole attempt window is re-dialled at most every 100 ms (no NAT to
 * race there), and every SYN shows in {@code punchd_syns_sent_total}.
 */
class SynPacingMetricsTest {
  private static final int WINDOW_MILLIS = 2000;
  /** AddressPace.LOCAL_SPACING: a refused loopback address is re-dialled at most this often. */
  private static final int LOCAL_SPACING_MILLIS = 100;

  @Test
  void aRefusingLoopbackAddressGetsAtMostOneSynPerLocalSpacing() throws Exception {
    try (TestSidecar a = TestSidecar.start(s -> s, metricsOnAnyPort())) {
      String refusing = "127.0.0.1:" + closedPort();
      GetAddressesResponse connection = Pair.allocate(a, ConnectionOptions.newBuilder()
          .setSecurity(SecurityMode.RAW).setAttemptTimeoutMs(WINDOW_MILLIS).build());
      EventRecorder events = EventRecorder.subscribe(a.async(), connection.getConnectionId());
      a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder()
          .setConnectionId(connection.getConnectionId()).addPeerAddresses(refusing).build());
      var failed = events.next().getFailed();
      assertThat(failed.getReason()).isEqualTo(FailureReason.TIMEOUT);
      int dials = failed.getAddressErrors(0).getAttempts();

      double syns = scrape(a).value("punchd_syns_sent_total");
      assertThat(syns).as("SYNs counted").isEqualTo(dials).isGreaterThanOrEqualTo(2);
      assertThat(syns).as("SYNs to a refusing loopback address in %d ms", WINDOW_MILLIS)
          .isLessThanOrEqualTo(WINDOW_MILLIS / LOCAL_SPACING_MILLIS + 1);
    }
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
