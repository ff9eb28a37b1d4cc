package dev.punchd.engine;

import dev.punchd.v1.CloseReason;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.Transport;
import java.time.Duration;

/**
 * What the engine reports for metrics: how attempts end, why connections close and how many payload bytes
 * move. Every started attempt ends in exactly one of established, failed or cancelled. Called from engine
 * threads (bytes once per read or write), so implementations must be thread-safe and must not block;
 * {@link #NONE} ignores everything.
 */
public interface EngineMetrics {
  EngineMetrics NONE = new EngineMetrics() {};

  /** AttemptConnection started punching. */
  default void attemptStarted(Transport transport) {}

  /** An attempt produced a connection, {@code elapsed} after it started. */
  default void attemptEstablished(Transport transport, Duration elapsed) {}

  /** An attempt ended without a connection. */
  default void attemptFailed(Transport transport, FailureReason reason) {}

  /** The connection was closed while its attempt was still punching. */
  default void attemptCancelled(Transport transport) {}

  /** A connection that was not failed closed. */
  default void connectionClosed(CloseReason reason) {}

  /** A SYN was sent (a dial started) toward a peer address. */
  default void synSent() {}

  /** Payload bytes written to a peer. */
  default void bytesSent(int count) {}

  /** Payload bytes read from a peer. */
  default void bytesReceived(int count) {}

  /** A connection's path runs through a TURN relay of this side for the first time (established or resumed there). */
  default void relayedConnectionEstablished() {}

  /** Payload bytes written to, or read from, a peer through a TURN relay (also counted by the two above). */
  default void relayedBytes(int sent, int received) {}
}
