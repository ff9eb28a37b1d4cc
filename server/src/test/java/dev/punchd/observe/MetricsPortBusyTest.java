package dev.punchd.observe;

import static dev.punchd.observe.MetricsEndpointTest.metricsOnAnyPort;
import static dev.punchd.observe.MetricsEndpointTest.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.punchd.SidecarOptions;
import dev.punchd.engine.HostPort;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.GetAddressesRequest;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two sidecars on one host that differ only in their API address both start: the second finds the
 * metrics port taken, logs a warning naming it, and runs without metrics.
 */
class MetricsPortBusyTest {
  private final Logger metricsLog = (Logger) LoggerFactory.getLogger(MetricsServer.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void captureLog() {
    logged.start();
    metricsLog.addAppender(logged);
  }

  @AfterEach
  void releaseLog() {
    metricsLog.detachAppender(logged);
  }

  @Test
  void theSecondSidecarOnATakenMetricsPortStartsWithoutMetrics() throws Exception {
    try (TestSidecar first = TestSidecar.start(s -> s, metricsOnAnyPort())) {
      InetSocketAddress taken = first.sidecar().metricsAddress().orElseThrow();
      try (TestSidecar second = TestSidecar.start(s -> s, SidecarOptions.minimal().withMetrics(taken))) {
        assertThat(second.sidecar().metricsAddress()).isEmpty();
        assertThat(second.blocking().getAddresses(GetAddressesRequest.getDefaultInstance()).getConnectionId())
            .isNotEmpty();
        assertThat(scrape(first).value("punchd_punch_attempts_total", "transport", "tcp")).isZero();
        assertThat(logged.list).anySatisfy(event -> {
          assertThat(event.getLevel()).isEqualTo(Level.WARN);
          assertThat(event.getFormattedMessage())
              .contains("cannot listen on " + HostPort.format(taken) + " (address already in use)");
        });
      }
    }
  }
}
