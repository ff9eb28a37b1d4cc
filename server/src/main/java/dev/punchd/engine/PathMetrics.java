package dev.punchd.engine;

import dev.punchd.v1.CloseReason;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.Transport;
import java.time.Duration;

/**
 * One connection's view of the sidecar's metrics: while the connection's path runs through a TURN relay of this
 * side ({@link #pathThroughRelay}), its payload bytes are also counted as relayed; the connection is counted as
 * relayed once, the first time its path runs through such a relay (established or resumed there). Thread-safe.
 */
final class PathMetrics implements EngineMetrics {
  private final EngineMetrics sidecar;
  private volatile boolean relayed;
  private boolean counted; // guarded by this

  PathMetrics(EngineMetrics sidecar) {
    this.sidecar = sidecar;
  }

  /** The connection's path is now through one of this side's allocations ({@code true}) or not. */
  synchronized void pathThroughRelay(boolean throughRelay) {
    relayed = throughRelay;
    if (throughRelay && !counted) {
      counted = true;
      sidecar.relayedConnectionEstablished();
    }
  }

  @Override
  public void bytesSent(int count) {
    sidecar.bytesSent(count);
    if (relayed) {
      sidecar.relayedBytes(count, 0);
    }
  }

  @Override
  public void bytesReceived(int count) {
    sidecar.bytesReceived(count);
    if (relayed) {
      sidecar.relayedBytes(0, count);
    }
  }

  @Override
  public void attemptStarted(Transport transport) {
    sidecar.attemptStarted(transport);
  }

  @Override
  public void attemptEstablished(Transport transport, Duration elapsed) {
    sidecar.attemptEstablished(transport, elapsed);
  }

  @Override
  public void attemptFailed(Transport transport, FailureReason reason) {
    sidecar.attemptFailed(transport, reason);
  }

  @Override
  public void attemptCancelled(Transport transport) {
    sidecar.attemptCancelled(transport);
  }

  @Override
  public void connectionClosed(CloseReason reason) {
    sidecar.connectionClosed(reason);
  }

  @Override
  public void synSent() {
    sidecar.synSent();
  }
}
