package dev.punchd.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.punchd.SidecarOptions;
import dev.punchd.engine.HostPort;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.Pair;
import dev.punchd.testing.PrometheusScrape;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.SecurityMode;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two real sidecars on loopback, each with its own {@code /metrics}: after one connection moved a known
 * number of bytes each way, both scrapes show exactly one attempt, one established outcome, one
 * time-to-established sample (the duration the Established event reported) and the byte counts.
 */
class MetricsEndpointTest {
  private static final long SENT_BY_A = (3L << 20) + 12_345;
  private static final long SENT_BY_B = (1L << 20) + 777;
  private static final int CHUNK = 64 * 1024;
  private static final List<String> FAILURE_OUTCOMES =
      List.of("timeout", "fingerprint_mismatch", "handshake_failed", "local_error", "cancelled");
  private static final double[] BUCKETS =
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60};

  static SidecarOptions metricsOnAnyPort() {
    return SidecarOptions.minimal().withMetrics(HostPort.parseListen("127.0.0.1:0"));
  }

  @Test
  void aConnectionShowsUpAsOneEstablishedAttemptWithItsTimeAndBytes() throws Exception {
    try (TestSidecar a = TestSidecar.start(s -> s, metricsOnAnyPort());
        TestSidecar b = TestSidecar.start(s -> s, metricsOnAnyPort())) {
      Pair pair = Pair.attempt(a, b, ConnectionOptions.newBuilder().setSecurity(SecurityMode.SECURE).build());
      Event establishedA = pair.eventsA.next();
      Event establishedB = pair.eventsB.next();
      assertThat(establishedA.hasEstablished()).as("A's first event: %s", establishedA).isTrue();
      assertThat(establishedB.hasEstablished()).as("B's first event: %s", establishedB).isTrue();
      StreamClient streamA = StreamClient.open(a.async(), pair.idA());
      StreamClient streamB = StreamClient.open(b.async(), pair.idB());
      streamA.send(new RandomBytes(1), SENT_BY_A, CHUNK);
      streamB.send(new RandomBytes(2), SENT_BY_B, CHUNK);
      Awaiting.until(Duration.ofSeconds(30), "both sides received everything",
          () -> streamA.receivedBytes() == SENT_BY_B && streamB.receivedBytes() == SENT_BY_A);

      PrometheusScrape during = scrape(a);
      assertThat(during.value("punchd_connections", "state", "established")).isEqualTo(1);
      assertThat(during.value("punchd_connections", "state", "allocated")).isZero();
      assertThat(during.value("punchd_connections", "state", "connecting")).isZero();
      assertThat(during.value("punchd_streams_active")).isEqualTo(1);

      streamA.finish();
      assertThat(streamB.awaitPeerFinished(Duration.ofSeconds(30))).isEqualTo(SENT_BY_A);
      streamB.finish();
      assertThat(streamB.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(streamA.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(pair.eventsA.next().getClosed().getReason()).isEqualTo(CloseReason.COMPLETED);
      assertThat(pair.eventsB.next().getClosed().getReason()).isEqualTo(CloseReason.COMPLETED);

      assertOneEstablishedConnection(scrape(a), establishedA, SENT_BY_A, SENT_BY_B);
      assertOneEstablishedConnection(scrape(b), establishedB, SENT_BY_B, SENT_BY_A);
    }
  }

  @Test
  void jvmAndProcessBasicsAreExported() throws Exception {
    try (TestSidecar a = TestSidecar.start(s -> s, metricsOnAnyPort())) {
      PrometheusScrape scrape = scrape(a);
      assertThat(scrape.sum("jvm_memory_used_bytes", "area", "heap")).isPositive();
      assertThat(scrape.value("jvm_threads_live_threads")).isPositive();
      assertThat(scrape.value("process_uptime_seconds")).isPositive();
      assertThat(scrape.value("process_files_open_files")).isPositive();
      assertThat(scrape.has("process_cpu_usage")).isTrue();
      assertThat(scrape.has("jvm_gc_memory_allocated_bytes_total")).isTrue();
      assertThat(scrape.has("jvm_classes_loaded_classes")).isTrue();
    }
  }

  private static void assertOneEstablishedConnection(PrometheusScrape scrape, Event established, long sent,
      long received) {
    assertThat(scrape.value("punchd_punch_attempts_total", "transport", "tcp")).isEqualTo(1);
    assertThat(outcome(scrape, "established")).isEqualTo(1);
    for (String failure : FAILURE_OUTCOMES) {
      assertThat(outcome(scrape, failure)).as(failure).isZero();
    }
    assertThat(scrape.value("punchd_time_to_established_seconds_count", "transport", "tcp")).isEqualTo(1);
    // The event reports whole milliseconds of the same measurement the histogram got in nanoseconds.
    double seconds = scrape.value("punchd_time_to_established_seconds_sum", "transport", "tcp");
    double reportedSeconds = established.getEstablished().getEstablishMillis() / 1000.0;
    assertThat(seconds).isBetween(reportedSeconds, reportedSeconds + 0.001);
    for (double le : BUCKETS) {
      assertThat(scrape.value("punchd_time_to_established_seconds_bucket", "transport", "tcp", "le", label(le)))
          .as("bucket le=%s for %s s", le, seconds).isEqualTo(seconds <= le ? 1 : 0);
    }
    assertThat(scrape.value("punchd_time_to_established_seconds_bucket", "transport", "tcp", "le", "+Inf"))
        .isEqualTo(1);
    assertThat(scrape.value("punchd_sent_bytes_total")).isCloseTo(sent, within(0.5));
    assertThat(scrape.value("punchd_received_bytes_total")).isCloseTo(received, within(0.5));
    assertThat(scrape.value("punchd_connections_closed_total", "reason", "completed")).isEqualTo(1);
    assertThat(scrape.value("punchd_connections", "state", "established")).isZero();
    assertThat(scrape.value("punchd_streams_active")).isZero();
  }

  static double outcome(PrometheusScrape scrape, String outcome) {
    return scrape.value("punchd_punch_outcomes_total", "outcome", outcome, "transport", "tcp");
  }

  static PrometheusScrape scrape(TestSidecar sidecar) throws Exception {
    return PrometheusScrape.of(sidecar.sidecar().metricsAddress().orElseThrow());
  }

  private static String label(double le) {
    return le == Math.rint(le) ? String.valueOf((long) le) + ".0" : String.valueOf(le);
  }
}
