package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.AddressError;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.Failed;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.StreamRequest;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An impostor: a punchd peer at an address the application was given, holding another key than the
 * fingerprint the application expects there. It gets no connection, both sides say why (showing only
 * fingerprint prefixes), and it cannot keep the real peer out.
 */
class ImpostorTest {
  private static final ConnectionOptions QUICK = ConnectionOptions.newBuilder().setAttemptTimeoutMs(3000).build();
  private static final Pattern LONG_HEX = Pattern.compile("[0-9a-fA-F]{17,}");

  @Test
  void anImpostorAtThePeersAddressIsRejectedOnBothSidesSayingWhyAndTheRealPeerStillConnects() throws Exception {
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start();
        TestSidecar c = TestSidecar.start()) {
      GetAddressesResponse addressesA = Pair.allocate(a, QUICK);
      GetAddressesResponse addressesB = Pair.allocate(b, QUICK);
      GetAddressesResponse impostor = Pair.allocate(c, QUICK);
      EventRecorder eventsA = EventRecorder.subscribe(a.async(), addressesA.getConnectionId());
      EventRecorder eventsC = EventRecorder.subscribe(c.async(), impostor.getConnectionId());

      // A was given B's fingerprint, but C answers at the addresses A was given; C knows A's fingerprint.
      a.blocking().attemptConnection(towards(addressesA, impostor, addressesB.getFingerprint()));
      c.blocking().attemptConnection(Pair.attemptTowards(impostor.getConnectionId(), addressesA));

      Failed failedA = failed(eventsA);
      Failed failedC = failed(eventsC);
      assertThat(failedA.getReason()).isEqualTo(FailureReason.FINGERPRINT_MISMATCH);
      assertThat(failedA.getMessage()).startsWith("peer's fingerprint is not " + prefix(addressesB));
      assertThat(failedA.getAddressErrorsList()).anySatisfy(error -> {
        assertThat(impostor.getLocalAddressesList()).contains(error.getAddress());
        assertThat(error.getAttempts()).isPositive();
        assertThat(error.getError()).contains("peer's fingerprint is not " + prefix(addressesB));
      });
      assertThat(failedC.getReason()).isEqualTo(FailureReason.FINGERPRINT_MISMATCH);
      assertThat(failedC.getMessage()).startsWith("peer rejected our certificate: it expects another fingerprint "
          + "for us, ours is " + prefix(impostor));
      assertShowsAtMostFingerprintPrefixes(failedA);
      assertShowsAtMostFingerprintPrefixes(failedC);

      Pair real = Pair.attempt(a, b, ConnectionOptions.getDefaultInstance());
      real.awaitEstablished();
      assertCarriesData(a, real.idA(), b, real.idB());
    }
  }

  @Test
  void anImpostorRacingOnTheSameAddressesDoesNotKeepTheRealPeerOut() throws Exception {
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start();
        TestSidecar c = TestSidecar.start()) {
      GetAddressesResponse addressesA = Pair.allocate(a, ConnectionOptions.getDefaultInstance());
      GetAddressesResponse addressesB = Pair.allocate(b, ConnectionOptions.getDefaultInstance());
      GetAddressesResponse impostor = Pair.allocate(c, QUICK);
      EventRecorder eventsA = EventRecorder.subscribe(a.async(), addressesA.getConnectionId());
      EventRecorder eventsB = EventRecorder.subscribe(b.async(), addressesB.getConnectionId());
      EventRecorder eventsC = EventRecorder.subscribe(c.async(), impostor.getConnectionId());

      // The impostor starts first and dials A; A dials the impostor's addresses as well as B's.
      c.blocking().attemptConnection(Pair.attemptTowards(impostor.getConnectionId(), addressesA));
      a.blocking().attemptConnection(towards(addressesA, impostor, addressesB.getFingerprint()).toBuilder()
          .addAllPeerAddresses(addressesB.getLocalAddressesList()).build());
      b.blocking().attemptConnection(Pair.attemptTowards(addressesB.getConnectionId(), addressesA));

      Event establishedA = eventsA.next();
      Event establishedB = eventsB.next();
      assertThat(establishedA.hasEstablished()).as("A: %s", establishedA).isTrue();
      assertThat(establishedB.hasEstablished()).as("B: %s", establishedB).isTrue();
      assertThat(port(establishedA.getEstablished().getRemoteAddress())).as("A is connected to B")
          .isEqualTo(port(addressesB.getLocalAddresses(0)));
      assertThat(port(establishedB.getEstablished().getRemoteAddress())).as("B is connected to A")
          .isEqualTo(port(addressesA.getLocalAddresses(0)));
      Failed failedC = failed(eventsC);
      assertThat(failedC.getReason()).as("C: %s", failedC).isEqualTo(FailureReason.FINGERPRINT_MISMATCH);
      assertShowsAtMostFingerprintPrefixes(failedC);
      assertCarriesData(a, addressesA.getConnectionId(), b, addressesB.getConnectionId());
    }
  }

  private static AttemptConnectionRequest towards(GetAddressesResponse self, GetAddressesResponse at,
      String expectedFingerprint) {
    return Pair.attemptTowards(self.getConnectionId(), at).toBuilder().setPeerFingerprint(expectedFingerprint)
        .build();
  }

  private static Failed failed(EventRecorder events) throws InterruptedException {
    Event event = events.next(Duration.ofSeconds(20));
    assertThat(event.hasFailed()).as("%s", event).isTrue();
    return event.getFailed();
  }

  /** What a user may see of a fingerprint: its first 16 hex digits and "...". */
  private static String prefix(GetAddressesResponse of) {
    return of.getFingerprint().substring(0, 16) + "...";
  }

  private static void assertShowsAtMostFingerprintPrefixes(Failed failed) {
    assertThat(failed.getMessage()).doesNotContainPattern(LONG_HEX);
    for (AddressError error : failed.getAddressErrorsList()) {
      assertThat(error.getError()).doesNotContainPattern(LONG_HEX);
    }
  }

  private static void assertCarriesData(TestSidecar a, String idA, TestSidecar b, String idB) throws Exception {
    StreamClient streamA = StreamClient.open(a.async(), idA);
    StreamClient streamB = StreamClient.open(b.async(), idB, true, true);
    streamA.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8("only for B")).build());
    streamA.finish();
    assertThat(streamB.awaitPeerFinished(Duration.ofSeconds(10))).isEqualTo("only for B".length());
    assertThat(streamB.receivedBytesKept()).asString().isEqualTo("only for B");
  }

  private static String port(String hostPort) {
    return hostPort.substring(hostPort.lastIndexOf(':') + 1);
  }
}
