package dev.punchd.api;

import dev.punchd.engine.PunchdException;
import dev.punchd.engine.StreamEnd;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The one place where engine outcomes become gRPC statuses. Stateless. */
final class StatusMapping {
  private StatusMapping() {}

  static StatusRuntimeException toStatus(PunchdException e) {
    Status status = switch (e.kind()) {
      case NOT_FOUND -> Status.NOT_FOUND;
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
    };
    return status.withDescription(e.getMessage()).asRuntimeException();
  }

  /**
   * How a Stream ends when the connection ended other than cleanly: CANCELLED only after this application's
   * own Close (gRPC keeps CANCELLED for the caller's cancellation); the peer closing, vanishing or shutting
   * down, and every other end, is UNAVAILABLE with the reason.
   */
  static StatusRuntimeException toStatus(StreamEnd end) {
    Status status = end.closedByApplication() ? Status.CANCELLED : Status.UNAVAILABLE;
    return status.withDescription(end.message() + " (" + end.initiator() + ", " + end.reason() + ")")
        .asRuntimeException();
  }

  /** Runs {@code call}; a refusal from the engine becomes the matching status. */
  static <T> void respond(io.grpc.stub.StreamObserver<T> observer, java.util.function.Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (PunchdException e) {
      observer.onError(toStatus(e));
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }
}
