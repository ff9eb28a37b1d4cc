package dev.punchd.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reflector and the ServiceMonitor, rendered only when enabled (ci/reflector-monitoring-values.yaml). */
class ChartOptionalResourcesTest {
  private static RenderedChart chart;
  private static final String REFLECTOR = RenderedChart.FULLNAME + "-reflector";

  @BeforeAll
  static void render() {
    chart = RenderedChart.render("reflector-monitoring-values.yaml");
  }

  @Test
  void rendersTheReflectorAndTheMetricsResourcesBesideTheWorkload() {
    assertThat(chart.names()).containsExactlyInAnyOrder(
        "Deployment/" + RenderedChart.FULLNAME,
        "Deployment/" + REFLECTOR,
        "Service/" + REFLECTOR,
        "Service/" + RenderedChart.FULLNAME + "-metrics",
        "ServiceMonitor/" + RenderedChart.FULLNAME);
  }

  @Test
  void reflectorServesOnItsPortBehindItsService() {
    JsonNode reflector = RenderedChart.container(chart.get("Deployment", REFLECTOR), "reflector");
    JsonNode service = chart.get("Service", REFLECTOR);

    assertThat(reflector.path("args")).extracting(JsonNode::asText)
        .containsExactly("reflector", "--listen", "0.0.0.0:8081");
    assertThat(RenderedChart.ports(reflector).get("http").path("containerPort").asInt()).isEqualTo(8081);
    assertThat(reflector.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(service.at("/spec/type").asText()).isEqualTo("LoadBalancer");
    assertThat(service.at("/spec/externalTrafficPolicy").asText()).isEqualTo("Local");
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(8080);
    assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    assertThat(labels(service.at("/spec/selector")))
        .isEqualTo(labels(chart.get("Deployment", REFLECTOR).at("/spec/template/metadata/labels")));
  }

  @Test
  void reflectorServiceDoesNotSelectTheWorkload() {
    Map<String, String> selector = labels(chart.get("Service", REFLECTOR).at("/spec/selector"));
    Map<String, String> workloadPod = labels(chart.workload().at("/spec/template/metadata/labels"));

    assertThat(workloadPod.entrySet().containsAll(selector.entrySet()))
        .as("reflector selector %s matches workload pod labels %s", selector, workloadPod).isFalse();
  }

  @Test
  void serviceMonitorScrapesTheSidecarMetricsPortThroughTheMetricsService() {
    JsonNode monitor = chart.get("ServiceMonitor", RenderedChart.FULLNAME);
    JsonNode metricsService = chart.get("Service", RenderedChart.FULLNAME + "-metrics");
    Map<String, String> workloadPod = labels(chart.workload().at("/spec/template/metadata/labels"));

    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(monitor.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");
    assertThat(labels(metricsService.at("/metadata/labels")))
        .containsAllEntriesOf(labels(monitor.at("/spec/selector/matchLabels")));
    assertThat(workloadPod).containsAllEntriesOf(labels(metricsService.at("/spec/selector")));
    assertThat(metricsService.at("/spec/ports/0/targetPort").asText()).isEqualTo("metrics");
    assertThat(RenderedChart.ports(chart.sidecar())).containsKey("metrics");
  }

  @Test
  void scrapeAnnotationsFollowTheirToggle() {
    assertThat(chart.workload().at("/spec/template/metadata").has("annotations")).isFalse();
  }

  private static Map<String, String> labels(JsonNode labels) {
    Map<String, String> map = new TreeMap<>();
    labels.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
