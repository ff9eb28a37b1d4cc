package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.Pair;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.SecurityMode;
import dev.punchd.v1.StreamRequest;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.punchd.testing.Awaiting;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two real sidecars on loopback, driven only through the API, move 64 MiB each way concurrently; then one
 * side half-closes, the other learns it after all data, finishes too, and both Streams complete.
 */
class LoopbackDataTest {
  private static final long SIZE = Long.getLong("punchd.test.size", 64L << 20);
  private static final int CHUNK = 256 * 1024;
  private static final String LAST_WORDS = "sent after the peer finished";

  @ParameterizedTest
  @EnumSource(value = SecurityMode.class, names = {"SECURE", "RAW"})
  void sixtyFourMebibytesEachWayThenHalfCloseFromEachSide(SecurityMode mode) throws Exception {
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start()) {
      Pair pair = Pair.attempt(a, b, ConnectionOptions.newBuilder().setSecurity(mode).build());
      pair.awaitEstablished();

      StreamClient streamA = StreamClient.open(a.async(), pair.idA());
      StreamClient streamB = StreamClient.open(b.async(), pair.idB());
      CompletableFuture<Void> sendA = CompletableFuture.runAsync(() -> send(streamA, 1));
      CompletableFuture<Void> sendB = CompletableFuture.runAsync(() -> send(streamB, 2));
      sendA.get(120, TimeUnit.SECONDS);
      sendB.get(120, TimeUnit.SECONDS);
      Awaiting.until(Duration.ofSeconds(60), "both sides received everything",
          () -> streamA.receivedBytes() == SIZE && streamB.receivedBytes() == SIZE);
      assertThat(streamA.receivedDigest()).isEqualTo(RandomBytes.digestOf(2, SIZE, CHUNK));
      assertThat(streamB.receivedDigest()).isEqualTo(RandomBytes.digestOf(1, SIZE, CHUNK));
      assertThat(streamA.isEnded()).isFalse();
      assertThat(streamB.isEnded()).isFalse();

      // A half-closes: B learns that A finished, after all of A's bytes, and may still send.
      streamA.finish();
      assertThat(streamB.awaitPeerFinished(Duration.ofSeconds(30))).isEqualTo(SIZE);
      assertThat(streamA.peerFinished()).isFalse();
      streamB.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8(LAST_WORDS)).build());
      // B half-closes too: both Streams complete, every byte delivered.
      streamB.finish();
      assertThat(streamA.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(streamB.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(streamA.receivedBytes()).isEqualTo(SIZE + LAST_WORDS.length());
      assertThat(streamA.peerFinished()).isTrue();
      assertThat(streamB.receivedBytes()).isEqualTo(SIZE);

      Event closedA = pair.eventsA.next();
      Event closedB = pair.eventsB.next();
      assertThat(closedA.getClosed().getReason()).isEqualTo(CloseReason.COMPLETED);
      assertThat(closedB.getClosed().getReason()).isEqualTo(CloseReason.COMPLETED);
      assertThat(a.sidecar().manager().liveConnections()).isZero();
      assertThat(b.sidecar().manager().liveConnections()).isZero();
    }
  }

  private static void send(StreamClient stream, long seed) {
    try {
      stream.send(new RandomBytes(seed), SIZE, CHUNK);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
