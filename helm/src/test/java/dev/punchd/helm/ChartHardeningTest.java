package dev.punchd.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What holds for every pod the chart renders, whatever the values: non-root, read-only, no privileges. */
class ChartHardeningTest {

  /** The defaults and each values file in punchd/ci. */
  static Stream<RenderedChart> everyValuesSet() {
    return Stream.of(
        RenderedChart.render(),
        RenderedChart.render("host-network-values.yaml"),
        RenderedChart.render("host-port-values.yaml"),
        RenderedChart.render("reflector-monitoring-values.yaml"),
        RenderedChart.render("tcp-api-values.yaml"));
  }

  @ParameterizedTest
  @MethodSource("everyValuesSet")
  void podsRunAsTheImageNonRootUserUnderRuntimeDefaultSeccomp(RenderedChart chart) {
    for (JsonNode deployment : chart.ofKind("Deployment")) {
      JsonNode pod = deployment.at("/spec/template/spec/securityContext");

      assertThat(pod.path("runAsNonRoot").asBoolean()).as(name(deployment)).isTrue();
      assertThat(pod.path("runAsUser").asInt()).as(name(deployment)).isEqualTo(65532);
      assertThat(pod.at("/seccompProfile/type").asText()).as(name(deployment)).isEqualTo("RuntimeDefault");
      assertThat(deployment.at("/spec/template/spec/automountServiceAccountToken").asBoolean(true))
          .as(name(deployment)).isFalse();
    }
  }

  @ParameterizedTest
  @MethodSource("everyValuesSet")
  void everyContainerHasAReadOnlyRootAndNoPrivileges(RenderedChart chart) {
    for (JsonNode deployment : chart.ofKind("Deployment")) {
      for (JsonNode container : deployment.at("/spec/template/spec/containers")) {
        JsonNode context = container.path("securityContext");
        String which = name(deployment) + "/" + container.path("name").asText();

        assertThat(context.path("readOnlyRootFilesystem").asBoolean()).as(which).isTrue();
        assertThat(context.path("allowPrivilegeEscalation").asBoolean(true)).as(which).isFalse();
        assertThat(context.at("/capabilities/drop")).as(which).containsExactly(TextNode.valueOf("ALL"));
        assertThat(context.path("privileged").asBoolean()).as(which).isFalse();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("everyValuesSet")
  void sidecarProbesDialTheHealthListenerPunchdIsToldToOpen(RenderedChart chart) {
    JsonNode sidecar = chart.sidecar();
    String healthAddress = RenderedChart.env(sidecar).get("PUNCHD_HEALTH");
    int healthPort = RenderedChart.ports(sidecar).get("health").path("containerPort").asInt();

    assertThat(healthAddress).isEqualTo("0.0.0.0:" + healthPort);
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      assertThat(sidecar.path(probe).path("grpc").path("port").asInt()).as(probe).isEqualTo(healthPort);
    }
  }

  @ParameterizedTest
  @MethodSource("everyValuesSet")
  void appDialsTheAddressPunchdServesTheApiOn(RenderedChart chart) {
    assertThat(RenderedChart.env(chart.app()).get("PUNCHD_TARGET"))
        .isEqualTo(RenderedChart.env(chart.sidecar()).get("PUNCHD_API"));
  }

  private static String name(JsonNode manifest) {
    return manifest.at("/metadata/name").asText();
  }
}
