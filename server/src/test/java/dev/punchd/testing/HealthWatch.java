package dev.punchd.testing;

import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@code grpc.health.v1.Health/Watch} call on the overall service (""), recording each status with the
 * {@link System#nanoTime()} it arrived at, so tests can order it against other observations.
 */
public final class HealthWatch implements StreamObserver<HealthCheckResponse> {
  /** A status and when it arrived. */
  public record Seen(ServingStatus status, long nanoTime) {}

  private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

  public static HealthWatch start(Channel channel) {
    HealthWatch watch = new HealthWatch();
    HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), watch);
    return watch;
  }

  /** The next status the server sent, failing the test if none arrives within {@code timeout}. */
  public Seen next(Duration timeout) throws InterruptedException {
    Seen next = seen.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (next == null) {
      throw new AssertionError("no health status within " + timeout);
    }
    return next;
  }

  @Override
  public void onNext(HealthCheckResponse response) {
    seen.add(new Seen(response.getStatus(), System.nanoTime()));
  }

  @Override
  public void onError(Throwable t) {
    // the sidecar stopped; statuses seen before stay queued
  }

  @Override
  public void onCompleted() {
    // Watch never completes on its own
  }
}
