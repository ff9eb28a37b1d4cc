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
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.punchd.testing.Awaiting;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two real sidecars on loopback, driven only through the API, move 64 MiB each way and close cleanly. */
class LoopbackDataTest {
  private static final long SIZE = Long.getLong("punchd.test.size", 64L << 20);
  private static final int CHUNK = 256 * 1024;

  @ParameterizedTest
  @EnumSource(value = SecurityMode.class, names = {"SECURE", "RAW"})
  void sixtyFourMebibytesEachWayThenHalfCloseEndsBothSides(SecurityMode mode) throws Exception {
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

      streamA.finish();
      assertThat(streamB.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(streamA.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(streamA.receivedBytes()).isEqualTo(SIZE);
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
