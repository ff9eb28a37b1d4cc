package dev.punchd.helm;

import static dev.punchd.helm.RenderedChart.env;
import static dev.punchd.helm.RenderedChart.named;
import static dev.punchd.helm.RenderedChart.ports;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ci/tcp-api-values.yaml: the API on loopback TCP, JSON logs, metrics off, every tuning value set. */
class ChartTcpApiTest {
  private static RenderedChart chart;

  @BeforeAll
  static void render() {
    chart = RenderedChart.render("tcp-api-values.yaml");
  }

  @Test
  void apiListensOnLoopbackWithoutASocketVolume() {
    JsonNode pod = chart.workload().at("/spec/template/spec");

    assertThat(env(chart.sidecar())).containsEntry("PUNCHD_API", "127.0.0.1:50052");
    assertThat(env(chart.app())).containsEntry("PUNCHD_TARGET", "127.0.0.1:50052");
    assertThat(named(pod.path("volumes"), "punchd-socket").isMissingNode()).isTrue();
    assertThat(named(chart.app().path("volumeMounts"), "punchd-socket").isMissingNode()).isTrue();
    assertThat(ports(chart.sidecar())).doesNotContainKey("api");
  }

  @Test
  void everyTuningValueBecomesItsEnvironmentVariable() {
    assertThat(env(chart.sidecar()))
        .containsEntry("PUNCHD_PUBLIC_IP", "none")
        .containsEntry("PUNCHD_LOCAL_INTERFACES", "eth0")
        .containsEntry("PUNCHD_PORT_RANGE", "43000-43999")
        .containsEntry("PUNCHD_ATTEMPT_TIMEOUT", "45s")
        .containsEntry("PUNCHD_RETRY_INTERVAL", "250ms")
        .containsEntry("PUNCHD_IDLE_TIMEOUT", "2m")
        .containsEntry("PUNCHD_MAX_CONNECTIONS", "128")
        .containsEntry("PUNCHD_LOG_FORMAT", "json")
        .containsEntry("PUNCHD_SHUTDOWN_GRACE", "20s");
  }

  @Test
  void probesFollowTheHealthPort() {
    assertThat(chart.sidecar().at("/livenessProbe/grpc/port").asInt()).isEqualTo(9090);
    assertThat(chart.sidecar().at("/readinessProbe/grpc/port").asInt()).isEqualTo(9090);
    assertThat(env(chart.sidecar())).containsEntry("PUNCHD_HEALTH", "0.0.0.0:9090");
  }

  @Test
  void disabledMetricsAreTurnedOffAndNeitherDeclaredNorAnnotated() {
    assertThat(env(chart.sidecar())).containsEntry("PUNCHD_METRICS", "off");
    assertThat(ports(chart.sidecar()).keySet()).containsExactly("health");
    assertThat(chart.workload().at("/spec/template/metadata").has("annotations")).isFalse();
  }
}
