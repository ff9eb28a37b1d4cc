package dev.punchd.natlab;

import static dev.punchd.natlab.LabSetup.Inbound.DROP;
import static dev.punchd.natlab.LabSetup.Inbound.RST;
import static dev.punchd.natlab.LabSetup.Nat.CONE;
import static dev.punchd.natlab.LabSetup.Nat.FULLCONE;

import dev.punchd.natlab.PunchSession.Outcome;
import dev.punchd.natlab.PunchSession.Route;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.SecurityMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.MultipleFailuresError;

/**
 * Punching from either side for the whole attempt window: for each kind of router (cone and fullcone
 * mapping, unsolicited SYNs dropped or answered with RST), every combination of call skew (0, 1, 5, 20 s)
 * and security mode (SECURE, RAW) is punched {@link #RUNS} times, all cells of one router kind at once
 * through the same two sidecars (a1 behind nat-a, b1 behind nat-b). Each punch must connect over the public
 * addresses, both sides on the same TCP connection, and carry SHA-256-checked data both ways. The calls'
 * order alternates between runs. Needs root (skips loudly, fails under CI=true).
 */
@Tag("natlab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatLabSkewTest {
  private static final int RUNS = Integer.getInteger("natlab.skew.runs", 2);
  private static final List<Duration> SKEWS = List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(20));
  /** After the later call, how long an attempt may take: through RST-answering NATs at zero RTT, seconds. */
  private static final Duration AFTER_LATER_CALL = Duration.ofSeconds(25);
  private static final Duration OUTCOME_MARGIN = Duration.ofSeconds(5);

  private final Path repoRoot = NatLab.findRepoRoot();
  private final NatLab lab = new NatLab(repoRoot, "skew" + ProcessHandle.current().pid());
  private final Matrix matrix = new Matrix();
  private LabFixture fixture;

  @BeforeAll
  void openLab() throws Exception {
    Optional<String> missing = LabPrerequisites.missing(lab.id());
    if (missing.isPresent()) {
      matrix.note("Not run: " + missing.get());
      LabPrerequisites.skipOrFail(missing.get());
    }
    fixture = LabFixture.open(lab, repoRoot.resolve("server/target/natlab-logs"));
  }

  @AfterAll
  void tearDownLab() throws Exception {
    try {
      if (fixture != null) {
        fixture.close();
      }
    } finally {
      matrix.publish(repoRoot.resolve("server/target/natlab-skew-matrix.md"));
    }
  }

  static Stream<Arguments> routers() {
    return Stream.of(Arguments.of(CONE, DROP), Arguments.of(FULLCONE, DROP), Arguments.of(CONE, RST),
        Arguments.of(FULLCONE, RST));
  }

  @ParameterizedTest(name = "{0} NATs, inbound {1}")
  @MethodSource("routers")
  void connectsAtAnyCallSkew(LabSetup.Nat nat, LabSetup.Inbound inbound) throws Exception {
    LabSetup setup = LabSetup.full(nat, nat, inbound);
    List<LabSidecar> sides = fixture.use(setup, "a1", "b1");
    List<Cell> cells = new ArrayList<>();
    for (SecurityMode mode : List.of(SecurityMode.SECURE, SecurityMode.RAW)) {
      for (Duration skew : SKEWS) {
        for (int run = 0; run < RUNS; run++) {
          cells.add(new Cell(mode, skew, run % 2 == 0));
        }
      }
    }
    List<Throwable> failures = new ArrayList<>();
    try (ExecutorService punches = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> results = cells.stream()
          .map(cell -> punches.submit(() -> punch(setup, sides, cell)))
          .toList();
      for (int i = 0; i < cells.size(); i++) {
        Cell cell = cells.get(i);
        String time;
        String result;
        try {
          time = results.get(i).get();
          result = "connected, data both ways OK";
        } catch (Exception e) {
          Throwable cause = e.getCause() == null ? e : e.getCause();
          failures.add(new AssertionError(cell + ": " + cause.getMessage(), cause));
          time = "-";
          result = "FAILED: " + String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        }
        matrix.add(new Matrix.Row(cell.toString(), setup.describe(), "a1 <-> b1", result, time));
      }
    }
    if (!failures.isEmpty()) {
      throw new MultipleFailuresError(setup.describe() + ": " + failures.size() + " of " + cells.size()
          + " punches failed", failures);
    }
  }

  /** One punch of a cell; returns the slower side's time to Established. */
  private String punch(LabSetup setup, List<LabSidecar> sides, Cell cell) throws Exception {
    Duration window = cell.skew().plus(AFTER_LATER_CALL);
    ConnectionOptions options = ConnectionOptions.newBuilder()
        .setSecurity(cell.mode())
        .setAttemptTimeoutMs((int) window.toMillis())
        .build();
    try (PunchSession session = PunchSession.attemptApart(lab, sides.get(0), sides.get(1), options, cell.skew(),
        cell.aFirst())) {
      session.assertDiscovered(setup);
      Outcome outcome = session.awaitOutcome(window.plus(OUTCOME_MARGIN));
      System.out.printf("natlab skew %s (%s): %s%n", cell, setup.describe(), outcome.describe());
      session.assertEstablishedVia(outcome, Route.PUBLIC);
      session.assertDataBothWaysThenHalfClose();
      return outcome.establishMillis() + " ms";
    }
  }

  /** One punch to make: mode, call skew, and which side calls first. */
  private record Cell(SecurityMode mode, Duration skew, boolean aFirst) {
    @Override
    public String toString() {
      return mode + ", calls " + skew.toSeconds() + " s apart, " + (aFirst ? "A" : "B") + " first";
    }
  }
}
