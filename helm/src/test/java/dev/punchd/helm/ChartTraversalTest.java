package dev.punchd.helm;

import static dev.punchd.helm.RenderedChart.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** punchd.stun and punchd.turn: the environment and the Secret mount the sidecar gets, and refused values. */
class ChartTraversalTest {

  @TempDir
  Path dir;

  private RenderedChart renderWithStun(String... servers) throws IOException {
    Path values = Files.writeString(dir.resolve("values.yaml"), "punchd:\n  stun:\n"
        + String.join("", Arrays.stream(servers).map(s -> "    - \"" + s + "\"\n").toList()));
    return RenderedChart.render(command -> command.withValuesFile(values)
        .set("punchd.turn.existingSecret", "punchd-turn")
        .set("punchd.turn.relayAfter", "2s"));
  }

  @Test
  void stunServersAndATurnSecretReachTheSidecarWithoutThePasswordInThePodSpec() throws IOException {
    RenderedChart chart = renderWithStun("stun://stun1.example:3478", "stun://stun2.example:3478");
    JsonNode pod = chart.workload().at("/spec/template/spec");

    assertThat(env(chart.sidecar()))
        .containsEntry("PUNCHD_STUN", "stun://stun1.example:3478,stun://stun2.example:3478")
        .containsEntry("PUNCHD_TURN_FILE", "/etc/punchd/turn/servers")
        .containsEntry("PUNCHD_RELAY_AFTER", "2s")
        .doesNotContainKey("PUNCHD_TURN");
    JsonNode volume = RenderedChart.named(pod.path("volumes"), "turn");
    assertThat(volume.at("/secret/secretName").asText()).isEqualTo("punchd-turn");
    JsonNode mount = RenderedChart.named(chart.sidecar().path("volumeMounts"), "turn");
    assertThat(mount.path("mountPath").asText()).isEqualTo("/etc/punchd/turn");
    assertThat(mount.path("readOnly").asBoolean()).isTrue();
  }

  @Test
  void withoutThemNothingIsAdded() {
    RenderedChart chart = RenderedChart.render(command -> command);

    assertThat(env(chart.sidecar())).doesNotContainKeys("PUNCHD_STUN", "PUNCHD_TURN_FILE", "PUNCHD_RELAY_AFTER");
    assertThat(chart.workload().at("/spec/template/spec/volumes").findValuesAsText("name")).doesNotContain("turn");
  }

  @Test
  void aStunServerWithoutSchemeOrPortOrABadBudgetIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> renderWithStun("stun.example:3478")).hasMessageContaining("- punchd.stun.0: ");
    assertThatThrownBy(() -> renderWithStun("stun://stun.example")).hasMessageContaining("- punchd.stun.0: ");
    assertThatThrownBy(() -> RenderedChart.render(command -> command.set("punchd.turn.relayAfter", "3")))
        .hasMessageContaining("- punchd.turn.relayAfter: ");
  }
}
