package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.StreamRequest;
import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A peer that cannot prove the fingerprint the application expects gets no connection and no bytes. */
class WrongFingerprintTest {

  @Test
  void aWrongPeerFingerprintFailsWithAReasonThatSaysSoAndDeliversNothing() throws Exception {
    ConnectionOptions quick = ConnectionOptions.newBuilder().setAttemptTimeoutMs(3000).build();
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start()) {
      GetAddressesResponse addressesA = Pair.allocate(a, quick);
      GetAddressesResponse addressesB = Pair.allocate(b, quick);
      GetAddressesResponse stranger = Pair.allocate(b, quick);
      EventRecorder eventsA = EventRecorder.subscribe(a.async(), addressesA.getConnectionId());
      EventRecorder eventsB = EventRecorder.subscribe(b.async(), addressesB.getConnectionId());
      StreamClient streamA = StreamClient.open(a.async(), addressesA.getConnectionId(), true, true);
      StreamClient streamB = StreamClient.open(b.async(), addressesB.getConnectionId(), true, true);
      streamA.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8("secret from A")).build());
      streamB.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8("secret from B")).build());

      // A expects someone else's fingerprint at B's addresses; B expects A correctly.
      a.blocking().attemptConnection(Pair.attemptTowards(addressesA.getConnectionId(), addressesB).toBuilder()
          .setPeerFingerprint(stranger.getFingerprint()).build());
      b.blocking().attemptConnection(Pair.attemptTowards(addressesB.getConnectionId(), addressesA));

      for (EventRecorder events : new EventRecorder[] {eventsA, eventsB}) {
        Event failed = events.next();
        assertThat(failed.hasFailed()).as("%s", failed).isTrue();
        assertThat(failed.getFailed().getReason()).isEqualTo(FailureReason.FINGERPRINT_MISMATCH);
        assertThat(failed.getFailed().getMessage()).containsIgnoringCase("fingerprint");
      }
      assertThat(streamA.awaitEnd(Duration.ofSeconds(10)).getCode()).isNotEqualTo(Status.Code.OK);
      assertThat(streamB.awaitEnd(Duration.ofSeconds(10)).getCode()).isNotEqualTo(Status.Code.OK);
      assertThat(streamA.receivedBytes()).isZero();
      assertThat(streamB.receivedBytes()).isZero();
    }
  }
}
