package dev.punchd.observe;

import dev.punchd.engine.Connection;
import dev.punchd.engine.ConnectionManager;
import dev.punchd.engine.EngineMetrics;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The engine's Micrometer meters. Every label value exists from the start (a counter at 0 is a fact, a
 * missing series is not), so rates and ratios work before the first failure:
 * <ul>
 *   <li>{@code punchd_punch_attempts_total{transport}}: attempts started;
 *   <li>{@code punchd_punch_outcomes_total{transport,outcome}}: how they ended: {@code established},
 *       {@code timeout}, {@code fingerprint_mismatch}, {@code handshake_failed}, {@code local_error}, or
 *       {@code cancelled} (closed while punching);
 *   <li>{@code punchd_time_to_established_seconds{transport}}: histogram from AttemptConnection to ready;
 *   <li>{@code punchd_connections_closed_total{reason}}: closes of connections that did not fail;
 *   <li>{@code punchd_syns_sent_total}: dials started toward peer addresses (each sends a SYN; see the
 *       pacing bounds in docs/design-notes.md);
 *   <li>{@code punchd_sent_bytes_total}, {@code punchd_received_bytes_total}: payload bytes to and from peers;
 *   <li>{@code punchd_relayed_connections_total}: connections whose path ran through a TURN relay of this side
 *       (established or resumed there; each counted once), and {@code punchd_relayed_sent_bytes_total},
 *       {@code punchd_relayed_received_bytes_total}: their payload bytes while their path ran through it;
 *   <li>{@code punchd_connections{state}} (allocated, connecting, established) and
 *       {@code punchd_streams_active}: gauges read from the {@link ConnectionManager} at scrape time.
 * </ul>
 * Thread-safe.
 */
public final class EngineMeters implements EngineMetrics {
  private static final String ESTABLISHED = "established";
  private static final String CANCELLED = "cancelled";
  /** Buckets of the time-to-established histogram: LAN punches take milliseconds, NATs up to the 30 s window. */
  private static final Duration[] ESTABLISH_BUCKETS = Arrays.stream(
      new long[] {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 20_000, 30_000, 60_000})
      .mapToObj(Duration::ofMillis).toArray(Duration[]::new);
  private static final List<Transport> TRANSPORTS = Arrays.stream(Transport.values())
      .filter(t -> t != Transport.TRANSPORT_UNSPECIFIED && t != Transport.UNRECOGNIZED).toList();
  private static final List<String> OUTCOMES = Stream.of(
      Stream.of(ESTABLISHED),
      Arrays.stream(FailureReason.values())
          .filter(r -> r != FailureReason.FAILURE_REASON_UNSPECIFIED && r != FailureReason.UNRECOGNIZED)
          .map(EngineMeters::label),
      Stream.of(CANCELLED)).flatMap(s -> s).toList();
  private static final List<Connection.State> LIVE_STATES =
      List.of(Connection.State.ALLOCATED, Connection.State.CONNECTING, Connection.State.ESTABLISHED);

  private final MeterRegistry registry;
  private final Map<Transport, Counter> attempts = new EnumMap<>(Transport.class);
  private final Map<Transport, Map<String, Counter>> outcomes = new EnumMap<>(Transport.class);
  private final Map<Transport, Timer> timeToEstablished = new EnumMap<>(Transport.class);
  private final Map<CloseReason, Counter> closes = new EnumMap<>(CloseReason.class);
  private final Counter syns;
  private final Counter sent;
  private final Counter received;
  private final Counter relayedConnections;
  private final Counter relayedSent;
  private final Counter relayedReceived;

  public EngineMeters(MeterRegistry registry) {
    this.registry = registry;
    for (Transport transport : TRANSPORTS) {
      String tag = label(transport);
      attempts.put(transport, Counter.builder("punchd.punch.attempts").tag("transport", tag)
          .description("Punch attempts started (AttemptConnection)").register(registry));
      Map<String, Counter> byOutcome = new HashMap<>();
      for (String outcome : OUTCOMES) {
        byOutcome.put(outcome, Counter.builder("punchd.punch.outcomes").tag("transport", tag).tag("outcome", outcome)
            .description("Punch attempts ended, by outcome").register(registry));
      }
      outcomes.put(transport, byOutcome);
      timeToEstablished.put(transport, Timer.builder("punchd.time.to.established").tag("transport", tag)
          .description("Time from AttemptConnection to an established connection")
          .serviceLevelObjectives(ESTABLISH_BUCKETS)
          .register(registry));
    }
    for (CloseReason reason : CloseReason.values()) {
      if (reason != CloseReason.CLOSE_REASON_UNSPECIFIED && reason != CloseReason.UNRECOGNIZED) {
        closes.put(reason, Counter.builder("punchd.connections.closed").tag("reason", label(reason))
            .description("Connections closed (not failed), by reason").register(registry));
      }
    }
    syns = Counter.builder("punchd.syns.sent")
        .description("SYNs sent toward peer addresses (dials started)").register(registry);
    sent = Counter.builder("punchd.sent").baseUnit("bytes")
        .description("Payload bytes written to peers").register(registry);
    received = Counter.builder("punchd.received").baseUnit("bytes")
        .description("Payload bytes read from peers").register(registry);
    relayedConnections = Counter.builder("punchd.relayed.connections")
        .description("Connections whose path ran through a TURN relay of this side (established or resumed there)")
        .register(registry);
    relayedSent = Counter.builder("punchd.relayed.sent").baseUnit("bytes")
        .description("Payload bytes written to peers through a TURN relay").register(registry);
    relayedReceived = Counter.builder("punchd.relayed.received").baseUnit("bytes")
        .description("Payload bytes read from peers through a TURN relay").register(registry);
  }

  /** Registers the gauges that read the manager's connections at scrape time. */
  public void watch(ConnectionManager manager) {
    for (Connection.State state : LIVE_STATES) {
      Gauge.builder("punchd.connections", manager, m -> m.count(state)).tag("state", label(state))
          .description("Live connections, by state").register(registry);
    }
    Gauge.builder("punchd.streams.active", manager, ConnectionManager::activeStreams)
        .description("Stream calls attached to a connection").register(registry);
  }

  @Override
  public void attemptStarted(Transport transport) {
    attempts.get(transport).increment();
  }

  @Override
  public void attemptEstablished(Transport transport, Duration elapsed) {
    outcomes.get(transport).get(ESTABLISHED).increment();
    timeToEstablished.get(transport).record(elapsed);
  }

  @Override
  public void attemptFailed(Transport transport, FailureReason reason) {
    outcomes.get(transport).get(label(reason)).increment();
  }

  @Override
  public void attemptCancelled(Transport transport) {
    outcomes.get(transport).get(CANCELLED).increment();
  }

  @Override
  public void connectionClosed(CloseReason reason) {
    Counter counter = closes.get(reason);
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void relayedConnectionEstablished() {
    relayedConnections.increment();
  }

  @Override
  public void relayedBytes(int sentBytes, int receivedBytes) {
    relayedSent.increment(sentBytes);
    relayedReceived.increment(receivedBytes);
  }

  @Override
  public void synSent() {
    syns.increment();
  }

  @Override
  public void bytesSent(int count) {
    sent.increment(count);
  }

  @Override
  public void bytesReceived(int count) {
    received.increment(count);
  }

  private static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
