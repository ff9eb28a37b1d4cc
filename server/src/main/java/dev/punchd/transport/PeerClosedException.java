package dev.punchd.transport;

import java.io.IOException;

/** The peer ended the connection deliberately and said why (a CLOSE frame). Immutable. */
public final class PeerClosedException extends IOException {
  private final PeerCloseReason reason;

  public PeerClosedException(PeerCloseReason reason, String message) {
    super("peer closed the connection (" + reason.name().toLowerCase() + ")"
        + (message.isEmpty() ? "" : ": " + message));
    this.reason = reason;
  }

  public PeerCloseReason reason() {
    return reason;
  }
}
