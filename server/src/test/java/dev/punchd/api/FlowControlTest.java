package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.engine.DataPipe;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.Pair;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.ConnectionOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A reader that stops reading slows the writer on the other side; neither sidecar holds more than a fixed
 * amount for the connection meanwhile, and every byte arrives once the reader resumes.
 */
class FlowControlTest {
  private static final long SIZE = 48L << 20;
  private static final int CHUNK = 256 * 1024;
  private static final int RECEIVE_BUFFER = 1 << 20;
  /** What one connection may hold: the receive buffer and one read, the outbound window plus one request message. */
  private static final int BOUND = DataPipe.heapBound(RECEIVE_BUFFER);

  @Test
  void aStalledReaderBoundsMemoryOnBothSidecarsAndLosesNothing() throws Exception {
    try (TestSidecar a = TestSidecar.start(s -> s.withLimits(16, RECEIVE_BUFFER));
        TestSidecar b = TestSidecar.start(s -> s.withLimits(16, RECEIVE_BUFFER))) {
      Pair pair = Pair.attempt(a, b, ConnectionOptions.getDefaultInstance());
      pair.awaitEstablished();
      StreamClient writer = StreamClient.open(a.async(), pair.idA());
      StreamClient stalled = StreamClient.open(b.async(), pair.idB(), false, false);

      AtomicInteger maxHeld = new AtomicInteger();
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          writer.send(new RandomBytes(7), SIZE, CHUNK);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      // Sample both sidecars' buffers until the writer's progress stops: backpressure reached it.
      long[] lastSent = {-1};
      long[] stableSince = {System.nanoTime()};
      Awaiting.until(Duration.ofSeconds(60), "the writer to stall", () -> {
        maxHeld.accumulateAndGet(held(a, pair.idA()), Math::max);
        maxHeld.accumulateAndGet(held(b, pair.idB()), Math::max);
        long sent = writer.sentBytes();
        if (sent != lastSent[0]) {
          lastSent[0] = sent;
          stableSince[0] = System.nanoTime();
        }
        return System.nanoTime() - stableSince[0] > TimeUnit.SECONDS.toNanos(2);
      });

      assertThat(sending).isNotDone();
      assertThat(writer.sentBytes()).isLessThan(SIZE);
      assertThat(stalled.receivedBytes()).isZero();
      assertThat(held(b, pair.idB())).as("B holds a full receive buffer").isGreaterThanOrEqualTo(RECEIVE_BUFFER);
      assertThat(maxHeld.get()).as("bytes held for the connection by either sidecar").isLessThanOrEqualTo(BOUND);

      stalled.read(Integer.MAX_VALUE);
      sending.get(60, TimeUnit.SECONDS);
      Awaiting.until(Duration.ofSeconds(60), "every byte to arrive", () -> {
        maxHeld.accumulateAndGet(held(b, pair.idB()), Math::max);
        LockSupport.parkNanos(1_000_000);
        return stalled.receivedBytes() == SIZE;
      });
      assertThat(stalled.receivedDigest()).isEqualTo(RandomBytes.digestOf(7, SIZE, CHUNK));
      assertThat(maxHeld.get()).isLessThanOrEqualTo(BOUND);
    }
  }

  private static int held(TestSidecar sidecar, String id) {
    return sidecar.sidecar().manager().get(id).pipe().bufferedBytes();
  }
}
