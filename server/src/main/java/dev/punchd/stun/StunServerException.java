package dev.punchd.stun;

import java.io.IOException;
import java.util.Optional;

/**
 * A STUN or TURN server did not give what was asked: no answer in time, a refused request (with its error
 * code and reason), or an answer punchd cannot use. The message names the server, e.g.
 * {@code turn://alice@203.0.113.10:3478: Allocate refused: 486 Allocation Quota Reached}. Immutable.
 */
public final class StunServerException extends IOException {
  private final String server;
  private final transient StunError error;

  public StunServerException(String server, String what, StunError error, Throwable cause) {
    super(server + ": " + what + (error == null ? "" : ": " + error) + (cause == null ? "" : " (" + cause + ")"),
        cause);
    this.server = server;
    this.error = error;
  }

  public StunServerException(String server, String what) {
    this(server, what, null, null);
  }

  /** The server as configured, e.g. {@code stun://203.0.113.10:3478} (never with a password). */
  public String server() {
    return server;
  }

  /** The error response's code and reason, when the server refused. */
  public Optional<StunError> error() {
    return Optional.ofNullable(error);
  }
}
