package dev.punchd.examples;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Why the chat ends unsuccessfully, as the one line it prints to stderr. Immutable. */
final class ChatException extends Exception {

  ChatException(String message) {
    super(message, null, false, false);
  }

  /**
   * A failed RPC: an UNAVAILABLE raised by the client's transport means the sidecar is unreachable;
   * anything else is the sidecar's answer, with its status code and description.
   */
  static ChatException rpc(String call, ApiAddress api, StatusRuntimeException e) {
    Status status = e.getStatus();
    if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null) {
      Throwable cause = status.getCause();
      String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
      return new ChatException("cannot reach the punchd sidecar at " + api + " (" + why + ")");
    }
    return new ChatException(call + ": " + status.getCode() + ": " + status.getDescription());
  }
}
