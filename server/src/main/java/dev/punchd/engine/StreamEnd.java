package dev.punchd.engine;

import dev.punchd.v1.CloseInitiator;
import dev.punchd.v1.CloseReason;

/**
 * How a connection's byte streams ended: cleanly (both sides half-closed and every byte was delivered) or
 * otherwise, with who ended it and why. Immutable.
 */
public record StreamEnd(boolean clean, CloseInitiator initiator, CloseReason reason, String message) {

  /** True when this side's application ended the connection itself (its Close). */
  public boolean closedByApplication() {
    return initiator == CloseInitiator.LOCAL && reason == CloseReason.APPLICATION;
  }
}
