package dev.punchd.helm;

import static dev.punchd.helm.RenderedChart.env;
import static dev.punchd.helm.RenderedChart.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How punched ports reach the node: network.hostNetwork and network.hostPort. */
class ChartExposureTest {

  @Test
  void hostNetworkPutsThePodOnTheNodeAndDeclaresThePunchRange() {
    RenderedChart chart = RenderedChart.render("host-network-values.yaml");
    JsonNode pod = chart.workload().at("/spec/template/spec");

    assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
    assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
    assertThat(punchPorts(chart.sidecar())).containsExactlyElementsOf(range(41000, 41009));
    assertThat(env(chart.sidecar()))
        .containsEntry("PUNCHD_PORT_RANGE", "41000-41009")
        .containsEntry("PUNCHD_PUBLIC_IP", "static:203.0.113.7");
  }

  @Test
  void hostPortForwardsEachPunchPortAndKeepsThePodNetwork() {
    RenderedChart chart = RenderedChart.render("host-port-values.yaml");
    JsonNode pod = chart.workload().at("/spec/template/spec");

    assertThat(pod.path("hostNetwork").asBoolean()).isFalse();
    assertThat(pod.has("dnsPolicy")).isFalse();
    assertThat(punchPorts(chart.sidecar())).containsExactlyElementsOf(range(42000, 42004));
    assertThat(env(chart.sidecar()))
        .containsEntry("PUNCHD_PORT_RANGE", "42000-42004")
        .containsEntry("PUNCHD_PUBLIC_IP", "http://reflector.example:8080/");
  }

  @Test
  void hostNetworkAndHostPortTogetherAreRefused() {
    assertThatThrownBy(() -> RenderedChart.render(
            "host-network-values.yaml", "host-port-values.yaml"))
        .hasMessageContaining("network.hostNetwork and network.hostPort exclude each other");
  }

  @Test
  void reversedPortRangeIsRefusedNamingIt() {
    assertThatThrownBy(() -> RenderedChart.render(command -> command
            .withValuesFile(RenderedChart.CHART.resolve("ci/host-port-values.yaml"))
            .set("punchd.portRange", "42004-42000")))
        .hasMessageContaining("\"42004-42000\"");
  }

  @Test
  void rangeTooLargeForHostPortsIsRefusedNamingIt() {
    assertThatThrownBy(() -> RenderedChart.render(command -> command
            .withValuesFile(RenderedChart.CHART.resolve("ci/host-port-values.yaml"))
            .set("punchd.portRange", "40000-41000")))
        .hasMessageContaining("\"40000-41000\"")
        .hasMessageContaining("more than 1000 ports");
  }

  /** Ports declared as host ports, after checking each maps to the same port number on the node. */
  private static List<Integer> punchPorts(JsonNode sidecar) {
    List<Integer> punchPorts = new ArrayList<>();
    for (JsonNode port : ports(sidecar).values()) {
      if (port.has("hostPort")) {
        int number = port.path("containerPort").asInt();
        assertThat(port.path("hostPort").asInt()).isEqualTo(number);
        assertThat(port.path("name").asText()).isEqualTo("punch-" + number);
        assertThat(port.path("protocol").asText()).isEqualTo("TCP");
        punchPorts.add(number);
      }
    }
    return punchPorts;
  }

  private static List<Integer> range(int first, int last) {
    return IntStream.rangeClosed(first, last).boxed().toList();
  }
}
