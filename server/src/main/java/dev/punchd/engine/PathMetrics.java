package dev.punchd.engine;

import dev.punchd.v1.CloseReason;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.Transport;
import java.time.Duration;

/**
 * One connection's view of the sidecar's metrics: once the connection runs through a TURN relay
 * ({@link #markRelayed()}), its payload bytes are also counted as relayed. Thread-safe.
 */
final class PathMetrics implements EngineMetrics {
  private final EngineMetrics sidecar;
  private volatile boolean relayed;

  PathMetrics(EngineMetrics sidecar) {
    this.sidecar = sidecar;
  }

  void markRelayed() {
    relayed = true;
    sidecar.relayedConnectionEstablished();
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
