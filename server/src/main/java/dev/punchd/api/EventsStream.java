package dev.punchd.api;

import dev.punchd.engine.EventHub;
import dev.punchd.v1.Event;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;

/**
 * One Events call: events wait in a bounded queue and are sent while the client can take them. A
 * subscriber to one connection is completed after that connection's terminal event; a subscriber so slow
 * that the queue overflows is ended with RESOURCE_EXHAUSTED. Thread-safe: one lock guards the queue and the
 * response observer; the hub's subscription is cancelled after that lock is released (the hub never calls
 * a subscriber under its own lock either, so a Close and an Events cancel at once cannot deadlock).
 */
final class EventsStream {
  private static final int MAX_QUEUED = 10_000;

  private final ServerCallStreamObserver<Event> responses;
  private final boolean endsWithConnection;
  private final ArrayDeque<Event> queue = new ArrayDeque<>(); // guarded by this
  private EventHub.Subscription subscription; // guarded by this
  private boolean done; // guarded by this

  EventsStream(ServerCallStreamObserver<Event> responses, boolean endsWithConnection) {
    this.responses = responses;
    this.endsWithConnection = endsWithConnection;
  }

  void subscribe(EventHub hub, String connectionId) {
    responses.setOnCancelHandler(this::finish);
    responses.setOnReadyHandler(this::drain);
    EventHub.Subscription registered = hub.subscribe(connectionId, this::offer);
    boolean finished;
    synchronized (this) {
      subscription = registered;
      finished = done;
    }
    if (finished) {
      registered.cancel();
    }
  }

  private void offer(Event event) {
    synchronized (this) {
      if (done) {
        return;
      }
      if (queue.size() >= MAX_QUEUED) {
        endLocked();
        responses.onError(Status.RESOURCE_EXHAUSTED
            .withDescription("Events subscriber fell " + MAX_QUEUED + " events behind").asRuntimeException());
      } else {
        queue.add(event);
        drainLocked();
      }
    }
    cancelIfDone();
  }

  private void drain() {
    synchronized (this) {
      drainLocked();
    }
    cancelIfDone();
  }

  private void drainLocked() {
    while (!done && responses.isReady() && !queue.isEmpty()) {
      Event event = queue.poll();
      responses.onNext(event);
      if (endsWithConnection && (event.hasFailed() || event.hasClosed())) {
        endLocked();
        responses.onCompleted();
      }
    }
  }

  private void finish() {
    synchronized (this) {
      endLocked();
    }
    cancelIfDone();
  }

  private void endLocked() {
    done = true;
    queue.clear();
  }

  /** Stops the hub's deliveries once done; never under this object's lock. */
  private void cancelIfDone() {
    EventHub.Subscription toCancel;
    synchronized (this) {
      toCancel = done ? subscription : null;
    }
    if (toCancel != null) {
      toCancel.cancel();
    }
  }
}
