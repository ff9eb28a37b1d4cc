package dev.punchd.testing;

import dev.punchd.v1.Event;
import dev.punchd.v1.EventsRequest;
import dev.punchd.v1.HolePunchGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Subscribes to Events and queues what arrives; {@link #next} waits (bounded) for the next one. */
public final class EventRecorder implements StreamObserver<Event> {
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> end = new CompletableFuture<>();

  public static EventRecorder subscribe(HolePunchGrpc.HolePunchStub stub, String connectionId) {
    EventRecorder recorder = new EventRecorder();
    stub.events(EventsRequest.newBuilder().setConnectionId(connectionId).build(), recorder);
    return recorder;
  }

  /** The next event, failing the test if none arrives within {@code timeout}. */
  public Event next(Duration timeout) throws InterruptedException {
    Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (event == null) {
      throw new AssertionError("no event within " + timeout + (end.isDone() ? "; stream ended: " + end.join() : ""));
    }
    return event;
  }

  public Event next() throws InterruptedException {
    return next(Duration.ofSeconds(30));
  }

  /** How the Events stream ended (OK when the server completed it). */
  public Status awaitEnd(Duration timeout) throws Exception {
    return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void onNext(Event event) {
    events.add(event);
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }
}
