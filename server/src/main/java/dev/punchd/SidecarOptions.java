package dev.punchd;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a sidecar runs beside its API: where it serves metrics and the health-only listener, and how long a
 * shutdown lets live connections finish. Immutable.
 *
 * @param metrics address of {@code /metrics}; empty: no metrics at all
 * @param health address of the plaintext listener that serves only {@code grpc.health.v1.Health}; empty: none
 *     (the API serves health too)
 * @param shutdownGrace how long {@link Sidecar#close()} waits for live connections before closing them
 */
public record SidecarOptions(Optional<InetSocketAddress> metrics, Optional<InetSocketAddress> health,
    Duration shutdownGrace) {

  public SidecarOptions {
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(health, "health");
    if (shutdownGrace == null || shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdown grace must be zero or positive, got " + shutdownGrace);
    }
  }

  /** No metrics, no health listener, no grace: what tests that only need the API start with. */
  public static SidecarOptions minimal() {
    return new SidecarOptions(Optional.empty(), Optional.empty(), Duration.ZERO);
  }

  public SidecarOptions withMetrics(InetSocketAddress address) {
    return new SidecarOptions(Optional.of(address), health, shutdownGrace);
  }

  public SidecarOptions withHealth(InetSocketAddress address) {
    return new SidecarOptions(metrics, Optional.of(address), shutdownGrace);
  }

  public SidecarOptions withShutdownGrace(Duration grace) {
    return new SidecarOptions(metrics, health, grace);
  }
}
