package dev.punchd.helm;

import static dev.punchd.helm.RenderedChart.env;
import static dev.punchd.helm.RenderedChart.named;
import static dev.punchd.helm.RenderedChart.ports;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chart with its default values: API on a shared Unix socket, metrics on, no host exposure. */
class ChartDefaultsTest {
  private static RenderedChart chart;

  @BeforeAll
  static void render() {
    chart = RenderedChart.render();
  }

  @Test
  void rendersOnlyTheWorkload() {
    assertThat(chart.names()).containsExactly("Deployment/" + RenderedChart.FULLNAME);
  }

  @Test
  void sidecarHasNativeGrpcProbesOnItsHealthListener() {
    JsonNode sidecar = chart.sidecar();

    assertThat(sidecar.at("/livenessProbe/grpc/port").asInt()).isEqualTo(8086);
    assertThat(sidecar.at("/readinessProbe/grpc/port").asInt()).isEqualTo(8086);
    assertThat(sidecar.at("/readinessProbe/periodSeconds").asInt()).isEqualTo(5);
    assertThat(ports(sidecar).get("health").path("containerPort").asInt()).isEqualTo(8086);
    assertThat(env(sidecar)).containsEntry("PUNCHD_HEALTH", "0.0.0.0:8086");
  }

  @Test
  void apiIsAUnixSocketInAnEmptyDirSharedWithTheApp() {
    JsonNode sidecarMount = named(chart.sidecar().path("volumeMounts"), "punchd-socket");
    JsonNode appMount = named(chart.app().path("volumeMounts"), "punchd-socket");

    assertThat(env(chart.sidecar())).containsEntry("PUNCHD_API", "unix:/run/punchd/punchd.sock");
    assertThat(env(chart.app())).containsEntry("PUNCHD_TARGET", "unix:/run/punchd/punchd.sock");
    assertThat(sidecarMount.path("mountPath").asText()).isEqualTo("/run/punchd");
    assertThat(sidecarMount.path("readOnly").asBoolean()).isFalse();
    assertThat(appMount.path("mountPath").asText()).isEqualTo("/run/punchd");
    assertThat(appMount.path("readOnly").asBoolean()).isTrue();
    assertThat(named(podSpec().path("volumes"), "punchd-socket").has("emptyDir")).isTrue();
  }

  @Test
  void sidecarHasWritableTmpOnItsReadOnlyRootFileSystem() {
    JsonNode mount = named(chart.sidecar().path("volumeMounts"), "tmp");

    assertThat(mount.path("mountPath").asText()).isEqualTo("/tmp");
    assertThat(named(podSpec().path("volumes"), "tmp").has("emptyDir")).isTrue();
  }

  @Test
  void sidecarEnvironmentCarriesTheDefaults() {
    assertThat(env(chart.sidecar()))
        .containsEntry("PUNCHD_PORT_RANGE", "40000-40099")
        .containsEntry("PUNCHD_METRICS", "0.0.0.0:9464")
        .containsEntry("PUNCHD_LOG_FORMAT", "text")
        .containsEntry("PUNCHD_SHUTDOWN_GRACE", "10s")
        .doesNotContainKeys("PUNCHD_PUBLIC_IP", "PUNCHD_LOCAL_INTERFACES", "PUNCHD_ATTEMPT_TIMEOUT",
            "PUNCHD_RETRY_INTERVAL", "PUNCHD_IDLE_TIMEOUT", "PUNCHD_MAX_CONNECTIONS");
  }

  @Test
  void imageTagIsTheChartAppVersion() {
    String appVersion = RenderedChart.readYaml(RenderedChart.CHART.resolve("Chart.yaml"))
        .path("appVersion").asText();

    assertThat(appVersion).isNotEmpty();
    assertThat(chart.sidecar().path("image").asText()).isEqualTo("punchd:" + appVersion);
  }

  @Test
  void metricsPortIsDeclaredAndAnnotatedForScraping() {
    JsonNode annotations = chart.workload().at("/spec/template/metadata/annotations");

    assertThat(ports(chart.sidecar()).get("metrics").path("containerPort").asInt()).isEqualTo(9464);
    assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("9464");
    assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
  }

  @Test
  void podStaysInItsOwnNetworkNamespaceWithoutHostPorts() {
    JsonNode pod = podSpec();

    assertThat(pod.path("hostNetwork").asBoolean()).isFalse();
    assertThat(ports(chart.sidecar()).keySet()).containsExactly("health", "metrics");
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
  }

  private static JsonNode podSpec() {
    return chart.workload().at("/spec/template/spec");
  }
}
