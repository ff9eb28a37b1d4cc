package dev.punchd.bench.app;

import dev.punchd.bench.app.Connector.Allocated;
import dev.punchd.bench.app.OutcomeWatcher.Outcome;
import dev.punchd.v1.ConnectionOptions;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One punch between two sidecars with the two AttemptConnection calls {@code skew} apart (skew 0:
 * both released at once from two threads), timed from the later call to the later Established event. Both
 * connections are closed afterwards. Used by one thread.
 */
public final class PunchTimer {
  private final Connector connector;

  public PunchTimer(Connector connector) {
    this.connector = connector;
  }

  /**
   * How one punch went: milliseconds from the later call to Established on both sides, and to Established on
   * the later caller's side and on the earlier caller's side alone; or why it failed.
   */
  public record Punch(OptionalDouble millis, OptionalDouble laterSide, OptionalDouble earlierSide, String failure) {
    static Punch failed(String why) {
      return new Punch(OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), why);
    }
  }

  /**
   * Punches once and closes both connections.
   *
   * @param aFirst whether A calls first (alternate it so neither side is always the early one)
   */
  public Punch punch(ConnectionOptions options, Duration skew, boolean aFirst, Duration timeout)
      throws Exception {
    Allocated pair = connector.allocate(options);
    CompletableFuture<Outcome> atA = connector.outcomeAtA(pair);
    CompletableFuture<Outcome> atB = connector.outcomeAtB(pair);
    Runnable first = aFirst ? () -> connector.attemptFromA(pair) : () -> connector.attemptFromB(pair);
    Runnable second = aFirst ? () -> connector.attemptFromB(pair) : () -> connector.attemptFromA(pair);
    long[] calls = skew.isZero() ? callTogether(first, second) : callApart(first, second, skew);
    long laterCall = Math.max(calls[0], calls[1]);
    boolean aLater = aCalledLater(aFirst, calls[0], calls[1]);
    try {
      Outcome a = atA.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Outcome b = atB.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!a.established() || !b.established()) {
        return Punch.failed(("A: " + a.event() + " B: " + b.event()).replaceAll("\\s+", " "));
      }
      long later = aLater ? a.arrivedNanos() : b.arrivedNanos();
      long earlier = aLater ? b.arrivedNanos() : a.arrivedNanos();
      return new Punch(OptionalDouble.of((Math.max(later, earlier) - laterCall) / 1e6),
          OptionalDouble.of((later - laterCall) / 1e6), OptionalDouble.of((earlier - laterCall) / 1e6), "");
    } catch (TimeoutException e) {
      return Punch.failed("no outcome on both sides within " + timeout);
    } finally {
      connector.close(pair);
    }
  }

  /**
   * Whether A's call started later, given when the first and the second call (A's when {@code aFirst} is false)
   * started: with calls released at once, either may have started first.
   */
  static boolean aCalledLater(boolean aFirst, long firstStart, long secondStart) {
    boolean secondIsLater = secondStart >= firstStart;
    return aFirst != secondIsLater;
  }

  /** Returns when the first and the second call started. */
  private static long[] callApart(Runnable first, Runnable second, Duration skew) throws InterruptedException {
    long earlier = System.nanoTime();
    first.run();
    Thread.sleep(skew); // the skew under test between the two applications' calls
    long later = System.nanoTime();
    second.run();
    return new long[] {earlier, later};
  }

  /** Both calls released by one gate on two threads; returns when the first and the second call started. */
  private static long[] callTogether(Runnable first, Runnable second) throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (ExecutorService callers = Executors.newFixedThreadPool(2)) {
      Future<Long> one = callers.submit(() -> startAfter(gate, first));
      Future<Long> two = callers.submit(() -> startAfter(gate, second));
      gate.countDown();
      return new long[] {one.get(), two.get()};
    }
  }

  private static long startAfter(CountDownLatch gate, Runnable call) throws InterruptedException {
    gate.await();
    long started = System.nanoTime();
    call.run();
    return started;
  }
}
