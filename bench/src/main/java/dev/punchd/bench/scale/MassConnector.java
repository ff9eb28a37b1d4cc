package dev.punchd.bench.scale;

import dev.punchd.bench.app.Connector;
import dev.punchd.bench.app.Connector.Allocated;
import dev.punchd.bench.app.OutcomeWatcher.Outcome;
import dev.punchd.v1.ConnectionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Establishes many connections between one sidecar pair at once: allocates them all, then issues every
 * AttemptConnection (both sides) and waits for every outcome. Used by one thread.
 */
final class MassConnector {
  private static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(120);

  /**
   * The connections that were established, how many were not, the time to allocate them all (GetAddresses on
   * both sides, one after another) and the time from the first attempt to the last outcome.
   */
  record Result(List<Allocated> established, int failed, String firstFailure, Duration allocating, Duration took) {}

  private final Connector connector;

  MassConnector(Connector connector) {
    this.connector = connector;
  }

  Result connect(int count) throws Exception {
    List<Allocated> pairs = new ArrayList<>(count);
    long allocationStart = System.nanoTime();
    for (int i = 0; i < count; i++) {
      pairs.add(connector.allocate(ConnectionOptions.getDefaultInstance()));
    }
    Duration allocating = Duration.ofNanos(System.nanoTime() - allocationStart);
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(2 * count);
    for (Allocated pair : pairs) {
      outcomes.add(connector.outcomeAtA(pair));
      outcomes.add(connector.outcomeAtB(pair));
    }
    long start = System.nanoTime();
    for (Allocated pair : pairs) {
      connector.attemptFromA(pair);
      connector.attemptFromB(pair);
    }
    CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
        .get(OUTCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    List<Allocated> established = new ArrayList<>();
    String firstFailure = "";
    for (int i = 0; i < count; i++) {
      Outcome atA = outcomes.get(2 * i).join();
      Outcome atB = outcomes.get(2 * i + 1).join();
      if (atA.established() && atB.established()) {
        established.add(pairs.get(i));
      } else if (firstFailure.isEmpty()) {
        firstFailure = (atA.established() ? atB : atA).event().toString().replace('\n', ' ');
      }
    }
    return new Result(established, count - established.size(), firstFailure, allocating, took);
  }
}
