package dev.punchd.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.schema.json refuses bad values before anything renders, naming the offending key. */
class ChartSchemaTest {

  @ParameterizedTest
  @CsvSource({
      "network.hostNetwork, yes",
      "network.hostPort, 1",
      "punchd.logFormat, xml",
      "punchd.portRange, 40000",
      "punchd.publicIp, ipify",
      "punchd.publicIp, stun://stun.example:3478",
      "punchd.api.transport, tcp6",
      "punchd.attemptTimeout, 30",
      "probes.port, 70000",
      "reflector.enabled, on",
      "reflector.service.externalTrafficPolicy, Nearest",
  })
  void rejects(String key, String value) {
    assertThatThrownBy(() -> RenderedChart.render(command -> command.set(key, value)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("- " + key + ": ");
  }

  @ParameterizedTest
  @CsvSource({"punchd.portRnage, 40000-40099", "metrics.serviceMonitor.intervall, 30s"})
  void rejectsMisspelledKeys(String key, String value) {
    String parent = key.substring(0, key.lastIndexOf('.'));
    String misspelled = key.substring(key.lastIndexOf('.') + 1);

    assertThatThrownBy(() -> RenderedChart.render(command -> command.set(key, value)))
        .hasMessageContaining("- " + parent + ": Additional property " + misspelled + " is not allowed");
  }

  @ParameterizedTest
  @CsvSource({"network.hostNetwork, true", "punchd.logFormat, json", "punchd.publicIp, static:192.0.2.1"})
  void acceptsGoodValues(String key, String value) {
    assertThat(RenderedChart.render(command -> command.set(key, value)).names()).isNotEmpty();
  }
}
