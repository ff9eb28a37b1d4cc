package dev.punchd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code size} bytes of {@link RandomBytes} each way at once over two Streams, then both half-close: every
 * byte must arrive once, in order, and both Streams end OK. Thread-safe for one test thread.
 */
public final class TwoWayTransfer {
  /** The size of each message sent. */
  public static final int CHUNK = 64 * 1024;

  /** Called by each sender before each chunk, with the bytes it sent so far; may wait (a sending rate). */
  public interface Pace {
    Pace FULL_SPEED = sent -> { };

    void beforeChunk(long sent) throws InterruptedException;
  }

  private final StreamClient streamA;
  private final StreamClient streamB;
  private final long seedA;
  private final long seedB;
  private final long size;
  private final Pace pace;
  private final CompletableFuture<Void> sendA;
  private final CompletableFuture<Void> sendB;

  private TwoWayTransfer(StreamClient streamA, StreamClient streamB, long seedA, long seedB, long size, Pace pace) {
    this.streamA = streamA;
    this.streamB = streamB;
    this.seedA = seedA;
    this.seedB = seedB;
    this.size = size;
    this.pace = pace;
    this.sendA = CompletableFuture.runAsync(() -> send(streamA, seedA));
    this.sendB = CompletableFuture.runAsync(() -> send(streamB, seedB));
  }

  /** Starts sending; A sends bytes of {@code seedA}, B of {@code seedB}. */
  public static TwoWayTransfer start(StreamClient streamA, StreamClient streamB, long seedA, long seedB, long size) {
    return new TwoWayTransfer(streamA, streamB, seedA, seedB, size, Pace.FULL_SPEED);
  }

  /** As {@link #start(StreamClient, StreamClient, long, long, long)}, each sender paced by {@code pace}. */
  public static TwoWayTransfer start(StreamClient streamA, StreamClient streamB, long seedA, long seedB, long size,
      Pace pace) {
    return new TwoWayTransfer(streamA, streamB, seedA, seedB, size, pace);
  }

  /** Waits until B has received a quarter of A's bytes. */
  public void awaitQuarterAtB() {
    Awaiting.until(Duration.ofSeconds(60), "a quarter received by B", () -> streamB.receivedBytes() >= size / 4);
  }

  /** Waits until each side has received {@code bytes} of the other's. */
  public void awaitReceivedAtBoth(long bytes) {
    Awaiting.until(Duration.ofSeconds(60), bytes + " bytes received by each side",
        () -> streamA.receivedBytes() >= bytes && streamB.receivedBytes() >= bytes);
  }

  /** Waits for both senders, half-closes both Streams and checks that they end OK with every byte intact. */
  public void assertCompletedIntact() throws Exception {
    sendA.get();
    sendB.get();
    streamA.finish();
    streamB.finish();
    assertThat(streamA.awaitEnd(Duration.ofSeconds(60))).isEqualTo(Status.OK);
    assertThat(streamB.awaitEnd(Duration.ofSeconds(60))).isEqualTo(Status.OK);
    assertThat(streamA.receivedBytes()).isEqualTo(size);
    assertThat(streamB.receivedBytes()).isEqualTo(size);
    assertThat(streamA.receivedDigest()).isEqualTo(RandomBytes.digestOf(seedB, size, CHUNK));
    assertThat(streamB.receivedDigest()).isEqualTo(RandomBytes.digestOf(seedA, size, CHUNK));
  }

  private void send(StreamClient stream, long seed) {
    try {
      RandomBytes data = new RandomBytes(seed);
      for (long sent = 0; sent < size; sent += CHUNK) {
        pace.beforeChunk(sent);
        stream.send(data, Math.min(CHUNK, size - sent), CHUNK);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
