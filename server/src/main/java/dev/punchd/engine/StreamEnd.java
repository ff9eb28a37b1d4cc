package dev.punchd.engine;

import dev.punchd.v1.CloseReason;

/**
 * How the received byte stream ended once every byte was taken: cleanly (the peer's FIN) or because the
 * connection ended another way. Immutable.
 */
public record StreamEnd(boolean clean, CloseReason reason, String message) {
  static final StreamEnd CLEAN = new StreamEnd(true, CloseReason.COMPLETED, "peer finished sending");
}
