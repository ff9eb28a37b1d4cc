package dev.punchd.natlab;

import static dev.punchd.natlab.LabSetup.Inbound.DROP;
import static dev.punchd.natlab.LabSetup.Inbound.RST;
import static dev.punchd.natlab.LabSetup.Nat.CONE;
import static dev.punchd.natlab.LabSetup.Nat.PORTSHIFT;
import static dev.punchd.natlab.LabSetup.Nat.SYMMETRIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.natlab.PunchSession.Outcome;
import dev.punchd.natlab.PunchSession.Route;
import dev.punchd.v1.Candidate;
import dev.punchd.v1.CandidateType;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Established;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.NatMappingType;
import dev.punchd.v1.PathKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.MultipleFailuresError;

/**
 * STUN and TURN through the sidecar, in the lab, with coturn on {@code pub} ({@code natlab/coturn}, started
 * here): where punching cannot work (symmetric <-> symmetric, symmetric <-> cone, unsolicited SYNs dropped or
 * answered with RST, calls 0 and 3 s apart) every SECURE punch connects through the relay, carries 1 MiB each
 * way at once intact (SHA-256) and ends cleanly, while a packet capture on {@code pub} never sees the known
 * plaintext; cone <-> cone still connects directly; behind a NAT that changes ports (per source), STUN's
 * address is the one the NAT really uses (conntrack) and the punch is direct. {@link #RUNS} runs per cell
 * ({@code -Dnatlab.relay.runs=20} in the bench), up to {@link #AT_ONCE} punches of one router pair at once.
 * Needs root (skips loudly, fails under CI=true).
 */
@Tag("natlab")
class NatLabRelayTest extends LabTestBase {
  private static final int RUNS = Integer.getInteger("natlab.relay.runs", 2);
  /** Punches at once, at most (the CI run's 4 cells of a router pair run together). */
  private static final int AT_ONCE = Integer.getInteger("natlab.relay.parallel", 8);
  private static final List<Duration> SKEWS = List.of(Duration.ZERO, Duration.ofSeconds(3));
  private static final String RELAY = LabCoturn.RELAY;
  private static final List<String> STUN = LabCoturn.STUN;
  /**
   * With sessions on, as by default: their send window (128 KiB over a relay) keeps a full-duplex transfer
   * below what coturn queues toward a TCP relay socket without pushing back; without them 1 of 16 relayed
   * 1 MiB-each-way transfers stalled in CI.
   */
  private static final List<String> STUN_AND_TURN = LabCoturn.stunAndTurn("--relay-after", "2s");
  /** After the later call: the relay budget (2 s), a handshake through coturn, and a busy 2-core machine. */
  private static final Duration AFTER_LATER_CALL = Duration.ofSeconds(25);
  /** The attempt window of a single punch (calls at once). */
  private static final ConnectionOptions AT_ONCE_WINDOW =
      ConnectionOptions.newBuilder().setAttemptTimeoutMs(25_000).build();
  private LabCoturn coturn;

  NatLabRelayTest() {
    super("relay", "natlab-relay-matrix.md");
  }

  @AfterAll
  void stopCoturn() throws Exception {
    if (coturn != null) {
      coturn.close();
    }
  }

  static Stream<Arguments> unpunchable() {
    return Stream.of(Arguments.of(SYMMETRIC, SYMMETRIC, DROP), Arguments.of(SYMMETRIC, SYMMETRIC, RST),
        Arguments.of(SYMMETRIC, CONE, DROP), Arguments.of(SYMMETRIC, CONE, RST));
  }

  @ParameterizedTest(name = "nat-a {0}, nat-b {1}, inbound {2}")
  @MethodSource("unpunchable")
  void connectsThroughTheRelayWherePunchingCannotWork(LabSetup.Nat natA, LabSetup.Nat natB, LabSetup.Inbound inbound)
      throws Exception {
    LabSetup setup = new LabSetup("two-nats", natA, natB, inbound, 0);
    List<LabSidecar> sides = useWithCoturn(setup, STUN_AND_TURN);
    List<Cell> cells = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      for (Duration skew : SKEWS) {
        cells.add(new Cell(skew, run % 2 == 0));
      }
    }
    List<Throwable> failures = new ArrayList<>();
    for (int first = 0; first < cells.size(); first += AT_ONCE) {
      punchAtOnce(setup, sides, cells.subList(first, Math.min(cells.size(), first + AT_ONCE)), failures);
    }
    if (!failures.isEmpty()) {
      throw new MultipleFailuresError(setup.describe() + ": " + failures.size() + " of " + cells.size()
          + " punches failed", failures);
    }
  }

  /** Punches {@code cells} at once, recording each in the matrix and failures in {@code failures}. */
  private void punchAtOnce(LabSetup setup, List<LabSidecar> sides, List<Cell> cells, List<Throwable> failures)
      throws InterruptedException {
    try (ExecutorService punches = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> results = cells.stream().map(cell -> punches.submit(() -> relayed(sides, cell))).toList();
      for (int i = 0; i < cells.size(); i++) {
        String time = "-";
        String result = "connected through " + RELAY + ", 1 MiB each way OK";
        try {
          time = results.get(i).get();
        } catch (ExecutionException e) {
          failures.add(new AssertionError(cells.get(i) + ": " + e.getCause().getMessage(), e.getCause()));
          result = "FAILED: " + String.valueOf(e.getCause().getMessage()).lines().findFirst().orElse("");
        }
        matrix.add(new Matrix.Row(cells.get(i).toString(), setup.describe(), "a1 <-> b1", result, time));
      }
    }
  }

  private String relayed(List<LabSidecar> sides, Cell cell) throws Exception {
    Duration window = cell.skew().plus(AFTER_LATER_CALL);
    ConnectionOptions options = ConnectionOptions.newBuilder().setAttemptTimeoutMs((int) window.toMillis()).build();
    try (PunchSession session = PunchSession.attemptApart(lab, sides.get(0), sides.get(1), options, cell.skew(),
        cell.aFirst())) {
      String relayErrors = "relay errors of A " + session.pair().addressesA.getRelayErrorsList() + ", B "
          + session.pair().addressesB.getRelayErrorsList();
      assertThat(session.pair().addressesA.getRelayErrorsList()).as(relayErrors).isEmpty();
      assertThat(session.pair().addressesB.getRelayErrorsList()).as(relayErrors).isEmpty();
      // a1 is behind the symmetric nat-a in every one of these cells: STUN (RFC 5780) says so.
      assertThat(session.pair().addressesA.getNat().getMapping()).as("a1's NAT, %s",
          session.pair().addressesA.getNat().getDetail()).isEqualTo(NatMappingType.ADDRESS_AND_PORT_DEPENDENT);
      assertThat(relayedCandidate(session.pair().addressesA)).startsWith("203.0.113.10:");
      assertThat(relayedCandidate(session.pair().addressesB)).startsWith("203.0.113.10:");
      Outcome outcome = session.awaitOutcome(window.plus(cell.skew()).plus(Duration.ofSeconds(5)));
      System.out.printf("natlab relay %s: %s%n", cell, outcome.describe());
      assertThat(outcome.bothEstablished()).as("both established: %s", outcome.describe()).isTrue();
      Established a = outcome.a().getEstablished();
      Established b = outcome.b().getEstablished();
      // The side whose allocation carries the path says RELAY; the other dialled a relayed address.
      assertThat(List.of(a, b)).as("paths: %s", outcome.describe())
          .anyMatch(e -> e.getPath() == PathKind.RELAY && e.getRelay().equals(RELAY));
      assertThat(List.of(a.getRemoteAddress(), b.getRemoteAddress())).allMatch(r -> r.startsWith("203.0.113.10:"));
      session.assertDataBothWaysThenHalfClose();
      return outcome.establishMillis() + " ms (" + outcome.afterLaterCall().toMillis() + " ms after the later call)";
    }
  }

  @Test
  void aCaptureOnTheRelayHostShowsNoPlaintext() throws Exception {
    List<LabSidecar> sides = useWithCoturn(new LabSetup("two-nats", SYMMETRIC, SYMMETRIC, DROP, 0), STUN_AND_TURN);
    Path stop = Path.of("/run/natlab", lab.id() + "-capture.stop");
    Files.deleteIfExists(stop);
    Process capture = lab.exec("pub", List.of("python3", repoRoot.resolve("natlab/capture").toString(), "eth0",
        stop.toString(), PunchSession.LAST_WORDS)).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(capture.getInputStream(), StandardCharsets.UTF_8));
      assertThat(CompletableFuture.supplyAsync(() -> readLine(out)).get(30, TimeUnit.SECONDS)).isEqualTo("ready");
      try (PunchSession session = PunchSession.attempt(lab, sides.get(0), sides.get(1), AT_ONCE_WINDOW)) {
        Outcome outcome = session.awaitOutcome(Duration.ofSeconds(30));
        assertThat(outcome.bothEstablished()).as("both established: %s", outcome.describe()).isTrue();
        session.assertDataBothWaysThenHalfClose();
      }
      Files.writeString(stop, "");
      String summary = CompletableFuture.supplyAsync(() -> readLine(out)).get(30, TimeUnit.SECONDS);
      System.out.println("natlab relay capture on pub: " + summary);
      String[] fields = summary.split(" ");
      assertThat(fields[0]).isEqualTo("CAPTURED");
      // Both directions passed the relay host twice (peer -> coturn -> peer): at least 2 MiB of payload seen.
      assertThat(Long.parseLong(fields[1])).isGreaterThan(2 * PunchSession.DATA_BYTES);
      assertThat(fields[4]).as("the known plaintext in the capture").isEqualTo("no");
      matrix.note("Capture on pub (natlab/capture, AF_PACKET on eth0) during a relayed SECURE punch: " + summary
          + " (marker: the last message B sends)");
    } finally {
      Files.writeString(stop, "");
      if (!capture.waitFor(10, TimeUnit.SECONDS)) {
        capture.destroyForcibly();
      }
      Files.deleteIfExists(stop);
    }
  }

  @Test
  void coneToConeStillConnectsDirectly() throws Exception {
    LabSetup setup = new LabSetup("two-nats", CONE, CONE, DROP, 0);
    List<LabSidecar> sides = useWithCoturn(setup, STUN_AND_TURN);
    try (PunchSession session = PunchSession.attempt(lab, sides.get(0), sides.get(1), AT_ONCE_WINDOW)) {
      Outcome outcome = session.awaitOutcome(Duration.ofSeconds(30));
      System.out.printf("natlab relay cone <-> cone: %s%n", outcome.describe());
      session.assertEstablishedVia(outcome, Route.PUBLIC);
      assertThat(outcome.a().getEstablished().getPath()).isEqualTo(PathKind.DIRECT);
      assertThat(outcome.b().getEstablished().getPath()).isEqualTo(PathKind.DIRECT);
      assertThat(session.pair().addressesA.getNat().getMapping()).isEqualTo(NatMappingType.ENDPOINT_INDEPENDENT);
      session.assertDataBothWaysThenHalfClose();
      matrix.add(new Matrix.Row("SECURE, calls 0 s apart", setup.describe(), "a1 <-> b1",
          "connected directly (Established path DIRECT on both sides)", outcome.establishMillis() + " ms"));
    }
  }

  @Test
  void behindAPortChangingNatStunAdvertisesThePortThePeerSees() throws Exception {
    LabSetup setup = new LabSetup("two-nats", PORTSHIFT, CONE, DROP, 0);
    List<LabSidecar> sides = useWithCoturn(setup, STUN);
    try (PunchSession session = PunchSession.attempt(lab, sides.get(0), sides.get(1), AT_ONCE_WINDOW)) {
      GetAddressesResponse a = session.pair().addressesA;
      int localPort = port(a.getLocalAddresses(0));
      String advertised = a.getPublicAddresses(0);
      assertThat(a.getCandidatesList()).anyMatch(c -> c.getType() == CandidateType.SERVER_REFLEXIVE
          && c.getAddress().equals(advertised));
      assertThat(advertised).startsWith("203.0.113.1:");
      assertThat(port(advertised)).as("nat-a's port for a1's connection").isBetween(20000, 29999)
          .isNotEqualTo(localPort); // "public IP + local port", the old guess, would be wrong
      assertThat(a.getNat().getMapping()).isEqualTo(NatMappingType.ENDPOINT_INDEPENDENT);
      assertThat(a.getNat().getPortPreserved()).isFalse();

      Outcome outcome = session.awaitOutcome(Duration.ofSeconds(30));
      System.out.printf("natlab portshift <-> cone: %s%n", outcome.describe());
      session.assertEstablishedVia(outcome, Route.PUBLIC);
      assertThat(outcome.a().getEstablished().getPath()).isEqualTo(PathKind.DIRECT);
      String conntrack = lab.run("nat-a", "conntrack", "-L", "-p", "tcp", "-s", "10.0.1.10", "-d", "203.0.113.2",
          "--sport", Integer.toString(localPort));
      List<String> flows = conntrack.lines().filter(l -> l.contains("ESTABLISHED")).toList();
      assertThat(flows).as("nat-a's conntrack for a1:%d -> nat-b: %s", localPort, conntrack).hasSize(1);
      List<String> ports = Pattern.compile("dport=(\\d+)").matcher(flows.get(0)).results().map(r -> r.group(1))
          .toList();
      assertThat(ports.get(ports.size() - 1)).as("the port nat-a gave the punched flow (reply direction): %s",
          flows.get(0)).isEqualTo(Integer.toString(port(advertised)));
      // ... and nat-b, on the peer's side, tracks the flow with exactly that address of a1's.
      String seenByB = lab.run("nat-b", "conntrack", "-L", "-p", "tcp");
      assertThat(seenByB.lines().filter(l -> l.contains("ESTABLISHED")))
          .as("nat-b's conntrack: %s", seenByB)
          .anyMatch(l -> l.contains("dst=203.0.113.1 sport=") && l.contains("dport=" + port(advertised) + " ")
              || l.contains("src=203.0.113.1 dst=203.0.113.2 sport=" + port(advertised) + " "));
      session.assertDataBothWaysThenHalfClose();
      matrix.add(new Matrix.Row("SECURE, STUN only", setup.describe(), "a1 <-> b1", "connected directly to "
          + advertised + " (STUN; local port " + localPort + "), nat-a and nat-b conntrack agree",
          outcome.establishMillis() + " ms"));
    }
    // The old guess (the reflector's IP + the local port) through the same NATs: nothing connects.
    List<LabSidecar> guessing = fixture.use(setup, LabSidecar.REFLECTOR_DISCOVERY, "a1", "b1");
    ConnectionOptions brief = ConnectionOptions.newBuilder().setAttemptTimeoutMs(5000).build();
    try (PunchSession session = PunchSession.attempt(lab, guessing.get(0), guessing.get(1), brief)) {
      String guess = session.pair().addressesA.getPublicAddresses(0);
      assertThat(port(guess)).isEqualTo(port(session.pair().addressesA.getLocalAddresses(0)));
      Outcome outcome = session.awaitOutcome(Duration.ofSeconds(15));
      assertThat(outcome.a().hasFailed() && outcome.b().hasFailed()).as("the old guess: %s", outcome.describe())
          .isTrue();
      matrix.add(new Matrix.Row("SECURE, reflector only (old guess)", setup.describe(), "a1 <-> b1",
          "failed as expected: A advertised " + guess + ", which nat-a does not use", "-"));
    }
  }

  private List<LabSidecar> useWithCoturn(LabSetup setup, List<String> flags) throws Exception {
    if (coturn == null) {
      coturn = new LabCoturn(fixture);
    }
    return coturn.use(setup, flags, "a1", "b1");
  }

  private static String relayedCandidate(GetAddressesResponse addresses) {
    assertThat(addresses.getRelayErrorsList()).as("relay errors").isEmpty();
    return addresses.getCandidatesList().stream().filter(c -> c.getType() == CandidateType.RELAYED)
        .map(Candidate::getAddress).findFirst().orElseThrow(() -> new AssertionError("no relayed candidate in "
            + addresses));
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One relayed punch: call skew and which side calls first. */
  private record Cell(Duration skew, boolean aFirst) {
    @Override
    public String toString() {
      return "SECURE, calls " + skew.toSeconds() + " s apart, " + (aFirst ? "A" : "B") + " first";
    }
  }
}
