package dev.punchd.api;

import dev.punchd.engine.EventHub;
import dev.punchd.v1.Event;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;

/**
 * One Events call: events wait in a bounded queue and are sent while the client can take them. A
 * subscriber to one connection is completed after that connection's terminal event; a subscriber so slow
 * that the queue overflows is ended with RESOURCE_EXHAUSTED. Thread-safe.
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
    synchronized (this) {
      subscription = registered;
      if (done) {
        registered.cancel();
      }
    }
  }

  private synchronized void offer(Event event) {
    if (done) {
      return;
    }
    if (queue.size() >= MAX_QUEUED) {
      finish();
      responses.onError(Status.RESOURCE_EXHAUSTED
          .withDescription("Events subscriber fell " + MAX_QUEUED + " events behind").asRuntimeException());
      return;
    }
    queue.add(event);
    drain();
  }

  private synchronized void drain() {
    while (!done && responses.isReady() && !queue.isEmpty()) {
      Event event = queue.poll();
      responses.onNext(event);
      if (endsWithConnection && (event.hasFailed() || event.hasClosed())) {
        finish();
        responses.onCompleted();
      }
    }
  }

  private synchronized void finish() {
    done = true;
    queue.clear();
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
