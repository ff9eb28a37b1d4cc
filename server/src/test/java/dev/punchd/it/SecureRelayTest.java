package dev.punchd.it;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.RecordingProxy;
import dev.punchd.testing.RelayedPair;
import dev.punchd.testing.RecordingProxy.Direction;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.Event;
import dev.punchd.v1.SecurityMode;
import dev.punchd.v1.StreamRequest;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two sidecars whose only path runs through a recording loopback proxy, as a man in the middle would
 * see it: A dials the proxy, which relays to B's port; B dials a closed port and so relies on accepting.
 */
class SecureRelayTest {
  private static final String LINE_PREFIX = "punchd known plaintext #";
  private static final byte[] KNOWN = knownPlaintext(1 << 20);
  private static final byte[] MARKER_A = "MARKER-A-d41d8cd98f-end-of-plaintext".getBytes(US_ASCII);
  private static final byte[] REPLY_B = "reply from B: MARKER-B-9e107d9d37-end".getBytes(US_ASCII);
  private static final int FLIP_OFFSET = 256 * 1024;

  @ParameterizedTest
  @EnumSource(value = SecurityMode.class, names = {"SECURE", "RAW"})
  void theProxySeesNoKnownPlaintextInSecureModeAndTheDataArrivesIntact(SecurityMode mode) throws Exception {
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start();
        RelayedPair relayed = RelayedPair.connect(a, b, mode)) {
      relayed.awaitEstablished();
      StreamClient streamA = StreamClient.open(a.async(), relayed.idA(), true, true);
      StreamClient streamB = StreamClient.open(b.async(), relayed.idB(), true, true);

      sendAll(streamA, concat(KNOWN, MARKER_A));
      streamA.finish();
      assertThat(streamB.awaitPeerFinished(Duration.ofSeconds(30))).isEqualTo(KNOWN.length + MARKER_A.length);
      sendAll(streamB, REPLY_B);
      streamB.finish();

      assertThat(streamB.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(streamA.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(streamB.receivedBytesKept()).isEqualTo(concat(KNOWN, MARKER_A));
      assertThat(streamA.receivedBytesKept()).isEqualTo(REPLY_B);

      byte[] toB = relayed.proxy().recorded(Direction.TO_TARGET);
      byte[] toA = relayed.proxy().recorded(Direction.FROM_TARGET);
      assertThat(toB.length).as("bytes relayed A to B").isGreaterThanOrEqualTo(KNOWN.length + MARKER_A.length);
      assertThat(toA.length).as("bytes relayed B to A").isGreaterThanOrEqualTo(REPLY_B.length);
      boolean visible = mode == SecurityMode.RAW;
      assertThat(contains(toB, LINE_PREFIX.getBytes(US_ASCII))).as("known lines seen A to B").isEqualTo(visible);
      assertThat(contains(toB, MARKER_A)).as("A's marker seen A to B").isEqualTo(visible);
      assertThat(contains(toA, REPLY_B)).as("B's reply seen B to A").isEqualTo(visible);
      assertThat(contains(toA, MARKER_A) || contains(toB, REPLY_B)).as("data in the wrong direction").isFalse();
    }
  }

  @Test
  void aByteFlippedInFlightEndsTheConnectionWithAnErrorAndNothingCorruptIsDelivered() throws Exception {
    long total = 4L << 20;
    int chunk = 64 * 1024;
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start();
        RelayedPair relayed = RelayedPair.connect(a, b, SecurityMode.SECURE)) {
      relayed.proxy().flipByteAt(Direction.TO_TARGET, FLIP_OFFSET);
      relayed.awaitEstablished();
      StreamClient streamB = StreamClient.open(b.async(), relayed.idB(), true, true);
      StreamClient streamA = StreamClient.open(a.async(), relayed.idA());
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          streamA.send(new RandomBytes(7), total, chunk);
        } catch (Exception e) {
          throw new IllegalStateException(e); // expected once the connection breaks
        }
      });

      Status endB = streamB.awaitEnd(Duration.ofSeconds(30));
      assertThat(relayed.proxy().hasFlipped()).isTrue();
      assertThat(endB.getCode()).as("B's Stream: %s", endB).isEqualTo(Status.Code.UNAVAILABLE);
      byte[] delivered = streamB.receivedBytesKept();
      assertThat(delivered.length).as("plaintext delivered before the flipped byte").isLessThan(FLIP_OFFSET);
      assertThat(delivered).isEqualTo(Arrays.copyOf(sentPrefix(7, delivered.length, chunk), delivered.length));

      Event closedB = relayed.eventsB().next();
      assertThat(closedB.getClosed().getReason()).as("%s", closedB).isEqualTo(CloseReason.CONNECTION_LOST);
      assertThat(closedB.getClosed().getMessage()).contains("bad_record_mac");
      Event closedA = relayed.eventsA().next();
      assertThat(closedA.hasClosed()).as("%s", closedA).isTrue();
      assertThat(closedA.getClosed().getReason()).isNotEqualTo(CloseReason.COMPLETED);
      assertThat(streamA.awaitEnd(Duration.ofSeconds(30)).getCode()).isNotEqualTo(Status.Code.OK);
      assertThat(sending).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
          .withMessageContaining("stream ended while sending");
    }
  }

  private static void sendAll(StreamClient stream, byte[] data) throws Exception {
    int chunk = 64 * 1024;
    for (int offset = 0; offset < data.length; offset += chunk) {
      stream.awaitReady(Duration.ofSeconds(30));
      stream.sendRaw(StreamRequest.newBuilder()
          .setData(ByteString.copyFrom(data, offset, Math.min(chunk, data.length - offset))).build());
    }
  }

  private static byte[] sentPrefix(long seed, int length, int chunk) {
    RandomBytes data = new RandomBytes(seed);
    ByteArrayOutputStream prefix = new ByteArrayOutputStream();
    while (prefix.size() < length) {
      prefix.writeBytes(data.next(chunk));
    }
    return prefix.toByteArray();
  }

  /** Numbered lines of readable text, exactly {@code size} bytes. */
  private static byte[] knownPlaintext(int size) {
    StringBuilder text = new StringBuilder(size + 100);
    for (int line = 0; text.length() < size; line++) {
      text.append(LINE_PREFIX).append(String.format("%07d", line)).append(": the quick brown fox jumps\n");
    }
    return text.substring(0, size).getBytes(US_ASCII);
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    return new String(haystack, ISO_8859_1).contains(new String(needle, ISO_8859_1));
  }
}
