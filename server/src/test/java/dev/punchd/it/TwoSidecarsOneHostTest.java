package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.HealthWatch;
import dev.punchd.testing.SidecarProcess;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two punchd processes that differ only in {@code --api} both start with the default metrics address
 * (127.0.0.1:9464): at most one serves metrics there, every other one says in its log that it could not
 * and runs on. (If something else holds the port, both say so; the test holds either way.)
 */
class TwoSidecarsOneHostTest {
  private static final Pattern METRICS_LINE =
      Pattern.compile("metrics (on http://127\\.0\\.0\\.1:9464/metrics|not served)");
  private static final String BUSY_WARNING = "metrics are not served: cannot listen on 127.0.0.1:9464";

  @Test
  void bothStartWithTheDefaultMetricsAddress(@TempDir Path dir) throws Exception {
    Path one = Files.createDirectory(dir.resolve("one"));
    Path two = Files.createDirectory(dir.resolve("two"));
    try (SidecarProcess first = SidecarProcess.start(one, "--health", "127.0.0.1:0");
        SidecarProcess second = SidecarProcess.start(two, "--health", "127.0.0.1:0")) {
      for (SidecarProcess process : List.of(first, second)) {
        assertThat(HealthWatch.start(process.healthChannel()).next(Duration.ofSeconds(60)).status())
            .isEqualTo(ServingStatus.SERVING);
      }
      long serving = 0;
      for (SidecarProcess process : List.of(first, second)) {
        String metrics = process.awaitLog(METRICS_LINE, Duration.ofSeconds(10)).group(1);
        if (metrics.startsWith("on ")) {
          serving++;
        } else {
          assertThat(process.logText()).contains(BUSY_WARNING);
        }
      }
      assertThat(serving).isLessThanOrEqualTo(1);
    }
  }
}
