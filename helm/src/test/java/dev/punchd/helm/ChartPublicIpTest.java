package dev.punchd.helm;

import static dev.punchd.helm.RenderedChart.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart offers exactly the discovery providers the sidecar accepts: the real punchd jar starts with the
 * environment the chart renders for every kind of {@code punchd.publicIp} the schema allows, and refuses
 * {@code stun://}, which the schema refuses too. (The empty value leaves punchd's own default, tested with
 * the CLI.) STUN servers and TURN relays have values of their own, and the jar starts with what they render
 * (the TURN Secret's file in a temporary directory). Listeners are moved to loopback and a socket in a temporary directory; URLs point at loopback,
 * and nothing asks for an address, so no discovery request is made. Needs server/target/punchd.jar.
 */
class ChartPublicIpTest {
  private static final Path JAR = Path.of("..", "server", "target", "punchd.jar").toAbsolutePath().normalize();
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final String SERVING = "punchd serving the API on";

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"none", "static:192.0.2.1", "http://127.0.0.1:8080/", "https://127.0.0.1:8443/ip"})
  void theSidecarStartsWithEveryProviderTheSchemaAllows(String publicIp) throws Exception {
    Map<String, String> env = env(RenderedChart.render(command -> command.set("punchd.publicIp", publicIp)).sidecar());
    assertThat(env).containsEntry("PUNCHD_PUBLIC_IP", publicIp);

    Process punchd = start(env);
    try {
      awaitLog(punchd, SERVING);
    } finally {
      punchd.destroy(); // SIGTERM: a graceful stop
    }
    assertThat(punchd.waitFor(30, TimeUnit.SECONDS)).as("punchd stopped after SIGTERM").isTrue();
    assertThat(punchd.exitValue()).as("exit status; log:%n%s", log()).isZero();
  }

  @Test
  void stunIsRefusedByTheSchemaAndByTheSidecar() throws Exception {
    String stun = "stun://stun.example:3478";
    assertThatThrownBy(() -> RenderedChart.render(command -> command.set("punchd.publicIp", stun)))
        .hasMessageContaining("- punchd.publicIp: ");

    Map<String, String> env = env(RenderedChart.render(command -> command).sidecar());
    env.put("PUNCHD_PUBLIC_IP", stun);
    Process punchd = start(env);
    assertThat(punchd.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)).as("punchd exited").isTrue();
    assertThat(punchd.exitValue()).isEqualTo(2);
    assertThat(log()).contains("unknown public IP provider '" + stun + "'");
  }

  @Test
  void theSidecarStartsWithTheChartsStunAndTurnSettings() throws Exception {
    Path values = Files.writeString(dir.resolve("values.yaml"),
        "punchd:\n  stun: [\"stun://127.0.0.1:3478\", \"stun://127.0.0.2:3478\"]\n"
            + "  turn: {existingSecret: punchd-turn, relayAfter: 2s}\n");
    Map<String, String> env = env(RenderedChart.render(command -> command.withValuesFile(values)).sidecar());
    assertThat(env).containsEntry("PUNCHD_TURN_FILE", "/etc/punchd/turn/servers");
    // The Secret's file, as Kubernetes would mount it.
    env.put("PUNCHD_TURN_FILE", Files.writeString(dir.resolve("servers"),
        "# relays\nturn://alice:s3cret-pw@127.0.0.1:3478\n").toString());

    Process punchd = start(env);
    try {
      awaitLog(punchd, SERVING);
    } finally {
      punchd.destroy();
    }
    assertThat(punchd.waitFor(30, TimeUnit.SECONDS)).as("punchd stopped after SIGTERM").isTrue();
    assertThat(log()).contains("STUN servers [stun://127.0.0.1:3478, stun://127.0.0.2:3478], "
        + "TURN relays [turn://alice@127.0.0.1:3478] (SECURE connections; relayed candidates wait 2000 ms)")
        .doesNotContain("s3cret-pw");
  }

  /** Runs the jar with the chart's PUNCHD_* variables, its listeners moved to this test's loopback and socket. */
  private Process start(Map<String, String> chartEnv) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      fail(JAR + " is missing: build it first (mvn package; the reactor builds the server before this module)");
    }
    String java = ProcessHandle.current().info().command().orElseThrow();
    ProcessBuilder builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("punchd.log").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("PUNCHD_"));
    chartEnv.forEach((name, value) -> {
      if (name.startsWith("PUNCHD_")) {
        env.put(name, value);
      }
    });
    env.put("PUNCHD_API", "unix:" + dir.resolve("punchd.sock"));
    env.put("PUNCHD_HEALTH", "127.0.0.1:0");
    env.put("PUNCHD_METRICS", "127.0.0.1:0");
    return builder.start();
  }

  private void awaitLog(Process punchd, String text) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (!log().contains(text)) {
      if (!punchd.isAlive() || System.nanoTime() > deadline) {
        fail("punchd did not log '" + text + "' (alive: " + punchd.isAlive() + "); its log:\n" + log());
      }
      punchd.waitFor(50, TimeUnit.MILLISECONDS);
    }
  }

  private String log() throws IOException {
    Path log = dir.resolve("punchd.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
