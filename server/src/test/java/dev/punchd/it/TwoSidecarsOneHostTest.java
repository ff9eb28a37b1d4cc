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
 * Two punchd processes that differ only in {@code --api} both start cleanly: metrics are off unless asked
 * for, so the second one finds nothing of the first's taken and logs no warning.
 */
class TwoSidecarsOneHostTest {
  private static final Pattern METRICS_LINE = Pattern.compile("; metrics (\\S+)$", Pattern.MULTILINE);

  @Test
  void bothStartWithDefaultFlagsAndNoWarning(@TempDir Path dir) throws Exception {
    Path one = Files.createDirectory(dir.resolve("one"));
    Path two = Files.createDirectory(dir.resolve("two"));
    try (SidecarProcess first = SidecarProcess.start(one, "--health", "127.0.0.1:0");
        SidecarProcess second = SidecarProcess.start(two, "--health", "127.0.0.1:0")) {
      for (SidecarProcess process : List.of(first, second)) {
        assertThat(HealthWatch.start(process.healthChannel()).next(Duration.ofSeconds(60)).status())
            .isEqualTo(ServingStatus.SERVING);
        assertThat(process.awaitLog(METRICS_LINE, Duration.ofSeconds(10)).group(1)).isEqualTo("off");
        assertThat(process.logText()).doesNotContain("WARN");
      }
    }
  }
}
