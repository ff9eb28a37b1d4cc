package dev.punchd.transport;

import java.io.Closeable;

/**
 * What the owner of an established connection needs to end it, whoever moves its bytes (a {@link Link}'s own
 * threads, or an event loop that took its socket over). Every method may be called from any thread, never
 * waits for a blocked reader or writer and never throws.
 */
public interface Abortable extends Closeable {

  /**
   * Tells the peer, where the protocol can and within about a second, why the connection ends; then closes
   * the socket under any blocked reader or writer.
   */
  void abort(PeerCloseReason reason, String message);

  /** Closes the connection at once. Idempotent. */
  @Override
  void close();

  /**
   * Gives the connection up at once, with a TCP reset where there is a socket: nothing more is sent (no FIN
   * left retransmitting toward a dead path), so its address pair is free for a new connection right away.
   * For a path given up for lost. Idempotent.
   */
  default void reset() {
    close();
  }
}
