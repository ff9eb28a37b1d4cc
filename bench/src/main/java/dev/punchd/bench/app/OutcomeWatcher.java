package dev.punchd.bench.app;

import dev.punchd.v1.Event;
import dev.punchd.v1.EventsRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches every connection of one sidecar through one {@code Events} stream (empty id) and completes, per
 * connection, the first Established or Failed/Closed event with the time it arrived. Subscribe before
 * attempting so that no event is missed. Thread-safe.
 */
public final class OutcomeWatcher implements StreamObserver<Event> {
  /** The first outcome of a connection and when it reached the application ({@link System#nanoTime()}). */
  public record Outcome(Event event, long arrivedNanos) {
    public boolean established() {
      return event.hasEstablished();
    }
  }

  private final Map<String, CompletableFuture<Outcome>> outcomes = new ConcurrentHashMap<>();
  private final CompletableFuture<Status> end = new CompletableFuture<>();

  public static OutcomeWatcher subscribe(SidecarClient sidecar) {
    OutcomeWatcher watcher = new OutcomeWatcher();
    sidecar.async().events(EventsRequest.getDefaultInstance(), watcher);
    return watcher;
  }

  /** The first outcome of {@code connectionId}; completes exceptionally when the Events stream ends first. */
  public CompletableFuture<Outcome> outcome(String connectionId) {
    CompletableFuture<Outcome> future = futureOf(connectionId);
    end.thenAccept(status -> future.completeExceptionally(
        new IllegalStateException("Events stream ended (" + status + ") before " + connectionId + " had an outcome")));
    return future;
  }

  @Override
  public void onNext(Event event) {
    long now = System.nanoTime();
    if (event.hasEstablished() || event.hasFailed() || event.hasClosed()) {
      futureOf(event.getConnectionId()).complete(new Outcome(event, now));
    }
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }

  private CompletableFuture<Outcome> futureOf(String connectionId) {
    return outcomes.computeIfAbsent(connectionId, id -> new CompletableFuture<>());
  }
}
