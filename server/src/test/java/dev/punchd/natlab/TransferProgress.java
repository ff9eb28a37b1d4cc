package dev.punchd.natlab;

import dev.punchd.testing.StreamClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples how many bytes each side of a two-way transfer has received, every {@link #PERIOD_MILLIS} ms, so a
 * run can tell when data stopped and when it flowed again. At most {@link #MAX_SAMPLES} samples (about ten
 * minutes); later ones are not kept. Thread-safe.
 */
final class TransferProgress implements AutoCloseable {
  static final int PERIOD_MILLIS = 5;
  private static final int MAX_SAMPLES = 120_000;

  /** What both sides had received at {@code nanos} (System.nanoTime). */
  record Sample(long nanos, long a, long b) {
    long of(boolean sideA) {
      return sideA ? a : b;
    }
  }

  private final StreamClient a;
  private final StreamClient b;
  private final List<Sample> samples = new ArrayList<>(); // guarded by this
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("transfer-progress").daemon().factory());

  private TransferProgress(StreamClient a, StreamClient b) {
    this.a = a;
    this.b = b;
  }

  /** Starts sampling what {@code a} and {@code b} receive. */
  static TransferProgress start(StreamClient a, StreamClient b) {
    TransferProgress progress = new TransferProgress(a, b);
    progress.sampler.scheduleAtFixedRate(progress::sample, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    return progress;
  }

  /** Takes a sample now and returns it. */
  synchronized Sample sample() {
    Sample now = new Sample(System.nanoTime(), a.receivedBytes(), b.receivedBytes());
    if (samples.size() < MAX_SAMPLES) {
      samples.add(now);
    }
    return now;
  }

  /**
   * The first sample after {@code fromNanos} in which side A (or B) has received more than it had at
   * {@code fromNanos}; null when none has.
   */
  synchronized Sample firstGrowthAfter(long fromNanos, boolean sideA) {
    long base = -1;
    for (Sample sample : samples) {
      if (sample.nanos() < fromNanos) {
        continue;
      }
      if (base < 0) {
        base = sample.of(sideA);
      } else if (sample.of(sideA) > base) {
        return sample;
      }
    }
    return null;
  }

  /** The first sample in which both sides had received at least {@code bytes}; null when none has. */
  synchronized Sample firstWithBoth(long bytes) {
    return samples.stream().filter(s -> s.a() >= bytes && s.b() >= bytes).findFirst().orElse(null);
  }

  /** The first sample in which either side had received anything; null when none has. */
  synchronized Sample firstByte() {
    return samples.stream().filter(s -> s.a() > 0 || s.b() > 0).findFirst().orElse(null);
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
