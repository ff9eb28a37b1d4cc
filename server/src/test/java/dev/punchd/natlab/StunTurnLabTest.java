package dev.punchd.natlab;

import static dev.punchd.natlab.LabSetup.Inbound.DROP;
import static dev.punchd.natlab.LabSetup.Nat.CONE;
import static dev.punchd.natlab.LabSetup.Nat.SYMMETRIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.Coturn;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * punchd's STUN and TURN client through real NATs: coturn on {@code pub} ({@code natlab/coturn}), a1 behind
 * a symmetric NAT, b1 behind a cone NAT (the sidecar using them: {@link NatLabRelayTest}). Skips loudly
 * without root, the lab's tools or coturn, fails under CI=true.
 */
@Tag("natlab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StunTurnLabTest {
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);
  private static final String TURN = "203.0.113.10:3478";
  private final Path repoRoot = NatLab.findRepoRoot();
  private final NatLab lab = new NatLab(repoRoot, "stun" + ProcessHandle.current().pid());
  private boolean up;

  @BeforeAll
  void openLab() throws Exception {
    Optional<String> missing = LabPrerequisites.missing(lab.id());
    if (missing.isPresent()) {
      LabPrerequisites.skipOrFail(missing.get());
    }
    Coturn.requireInstalled();
    up = true;
    lab.up(new LabSetup("two-nats", SYMMETRIC, CONE, DROP, 0));
    Commands.run(lab.coturn("start", "--rfc5780"), RUN_TIMEOUT).orThrow();
  }

  @AfterAll
  void closeLab() throws Exception {
    if (up) {
      try {
        Commands.run(lab.coturn("stop"), RUN_TIMEOUT).orThrow();
      } finally {
        lab.down();
      }
    }
  }

  private List<String> java(String... args) {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), StunTurnLabMain.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  private String run(String host, String... args) throws Exception {
    return Commands.run(lab.exec(host, java(args)), RUN_TIMEOUT).orThrow().output();
  }

  private static String line(String output, String prefix) {
    return output.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " line in: " + output));
  }

  @Test
  void theMappingProbeTellsTheSymmetricNatFromTheCone() throws Exception {
    String symmetric = line(run("a1", "probe", TURN), "MAPPING");
    assertThat(symmetric).startsWith("MAPPING ADDRESS_AND_PORT_DEPENDENT false ");
    String cone = line(run("b1", "probe", TURN), "MAPPING");
    assertThat(cone).startsWith("MAPPING ENDPOINT_INDEPENDENT ");
    assertThat(cone).contains("203.0.113.2:");
    System.out.println("natlab STUN: a1 (symmetric) " + symmetric + "; b1 (cone) " + cone);
  }

  @Test
  void aPeerBehindAConeNatReachesARelayAllocatedBehindTheSymmetricOne() throws Exception {
    int bytes = 1024 * 1024;
    Process relay = lab.exec("a1", java("relay", TURN, "alice", "secret", "203.0.113.2", Integer.toString(bytes)))
        .redirectErrorStream(true).start();
    try {
      BufferedReader relayOut = new BufferedReader(new InputStreamReader(relay.getInputStream(),
          StandardCharsets.UTF_8));
      String relayed = CompletableFuture.supplyAsync(() -> readLineStartingWith(relayOut, "RELAYED "))
          .get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).substring("RELAYED ".length());
      assertThat(relayed).startsWith("203.0.113.10:");
      String[] digests = line(run("b1", "send", relayed, Integer.toString(bytes)), "DIGESTS").split(" ");
      assertThat(digests[2]).isEqualTo(digests[1]);
      assertThat(readLineStartingWith(relayOut, "ACCEPTED ")).startsWith("ACCEPTED 203.0.113.2:");
      assertThat(relay.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(relay.exitValue()).isZero();
    } finally {
      relay.destroyForcibly();
    }
  }

  private static String readLineStartingWith(BufferedReader reader, String prefix) {
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
      throw new AssertionError("the relay side ended without a " + prefix + "line");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
