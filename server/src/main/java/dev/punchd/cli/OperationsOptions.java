package dev.punchd.cli;

import dev.punchd.SidecarOptions;
import dev.punchd.engine.HostPort;
import dev.punchd.engine.PunchdException;
import dev.punchd.observe.LogAddresses;
import dev.punchd.observe.LogFormat;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The command-line options for operating punchd: metrics, the health-only listener, log format, address
 * redaction and the shutdown grace period. A picocli mixin of {@link ServeCommand}. Not thread-safe.
 */
final class OperationsOptions {

  @Option(names = "--metrics", paramLabel = "IP:PORT|off", defaultValue = "${env:PUNCHD_METRICS:-off}",
      description = "Serve Prometheus metrics on http://IP:PORT/metrics (e.g. 127.0.0.1:9464; port 0: any free port, "
          + "logged), or off; an address that cannot be bound is logged and punchd runs on without metrics "
          + "[PUNCHD_METRICS] (default: ${DEFAULT-VALUE})")
  String metrics;

  @Option(names = "--health", paramLabel = "IP:PORT|off", defaultValue = "${env:PUNCHD_HEALTH:-off}",
      description = "Also serve grpc.health.v1.Health alone on this plaintext address, for probes that cannot reach "
          + "the API (Kubernetes gRPC probes dial the pod IP) [PUNCHD_HEALTH] (default: ${DEFAULT-VALUE})")
  String health;

  @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "${env:PUNCHD_LOG_FORMAT:-text}",
      description = "Log lines for people (text) or one JSON object per line with mdc.connection_id (json) "
          + "[PUNCHD_LOG_FORMAT] (default: text)")
  LogFormat logFormat;

  @Option(names = "--redact-addresses", defaultValue = "${env:PUNCHD_REDACT_ADDRESSES:-false}", fallbackValue = "true",
      arity = "0..1", description = "Mask peer addresses in log lines (203.0.113.x:40001) [PUNCHD_REDACT_ADDRESSES]")
  boolean redactAddresses;

  @Option(names = "--shutdown-grace", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_SHUTDOWN_GRACE:-10s}",
      description = "After SIGTERM (health NOT_SERVING, no new connections), how long live connections may "
          + "finish before they are closed with reason SHUTDOWN [PUNCHD_SHUTDOWN_GRACE] (default: ${DEFAULT-VALUE})")
  Duration shutdownGrace;

  /** Sets up logging as asked; call before anything logs. */
  void applyLogging() {
    logFormat.apply();
    LogAddresses.redact(redactAddresses);
  }

  /**
   * The sidecar options these flags describe.
   *
   * @throws IllegalArgumentException naming the flag and value of a malformed address
   */
  SidecarOptions toSidecarOptions() {
    return new SidecarOptions(listenOrOff("--metrics", metrics), listenOrOff("--health", health), shutdownGrace);
  }

  private static Optional<InetSocketAddress> listenOrOff(String option, String value) {
    if (value.trim().equalsIgnoreCase("off")) {
      return Optional.empty();
    }
    try {
      return Optional.of(HostPort.parseListen(value));
    } catch (PunchdException e) {
      throw new IllegalArgumentException(option + " must be IP:PORT or off: " + e.getMessage());
    }
  }
}
