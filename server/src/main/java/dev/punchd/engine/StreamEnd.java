package dev.punchd.engine;

import dev.punchd.v1.CloseReason;

/**
 * How a connection's byte streams ended: cleanly (both sides half-closed and every byte was delivered) or
 * otherwise, with the reason. Immutable.
 */
public record StreamEnd(boolean clean, CloseReason reason, String message) {}
