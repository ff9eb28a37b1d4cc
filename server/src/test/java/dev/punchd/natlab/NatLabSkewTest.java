package dev.punchd.natlab;

import static dev.punchd.natlab.LabSetup.Inbound.DROP;
import static dev.punchd.natlab.LabSetup.Inbound.RST;
import static dev.punchd.natlab.LabSetup.Nat.CONE;
import static dev.punchd.natlab.LabSetup.Nat.FULLCONE;

import dev.punchd.natlab.PunchSession.Outcome;
import dev.punchd.natlab.PunchSession.Route;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.SecurityMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.MultipleFailuresError;

/**
 * Punching from either side for the whole attempt window: for each kind of router (cone and fullcone
 * mapping, unsolicited SYNs dropped or answered with RST), every combination of call skew (0, 1, 5, 20 s)
 * and security mode (SECURE, RAW) is punched {@link #RUNS} times, one run of all cells of one router kind
 * at once through the same two sidecars (a1 behind nat-a, b1 behind nat-b). Each punch must connect over the public
 * addresses, both sides on the same TCP connection, and carry SHA-256-checked data both ways. The calls'
 * order alternates between runs. Needs root (skips loudly, fails under CI=true).
 */
@Tag("natlab")
class NatLabSkewTest extends LabTestBase {
  private static final int RUNS = Integer.getInteger("natlab.skew.runs", 2);
  private static final List<Duration> SKEWS = List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(20));
  /**
   * After the later call, how long an attempt may take. Through RST-answering cone NATs at zero RTT the
   * SYNs must cross within microseconds, and with 8 punches at once on a 2-core machine that took up to
   * 20 s (median 3 s); every other router kind connected within about 2 s.
   */
  private static final Duration AFTER_LATER_CALL = Duration.ofSeconds(40);
  private static final Duration OUTCOME_MARGIN = Duration.ofSeconds(5);

  NatLabSkewTest() {
    super("skew", "natlab-skew-matrix.md");
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
    List<Throwable> failures = new ArrayList<>();
    int punches = 0;
    for (int run = 0; run < RUNS; run++) {
      List<Cell> cells = new ArrayList<>();
      for (SecurityMode mode : List.of(SecurityMode.SECURE, SecurityMode.RAW)) {
        for (Duration skew : SKEWS) {
          cells.add(new Cell(mode, skew, run % 2 == 0));
        }
      }
      punches += cells.size();
      punchAtOnce(setup, sides, cells, failures);
    }
    if (!failures.isEmpty()) {
      throw new MultipleFailuresError(setup.describe() + ": " + failures.size() + " of " + punches
          + " punches failed", failures);
    }
  }

  /** Punches every cell at once (one run of each), recording each in the matrix and failures in {@code failures}. */
  private void punchAtOnce(LabSetup setup, List<LabSidecar> sides, List<Cell> cells, List<Throwable> failures)
      throws InterruptedException {
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
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          failures.add(new AssertionError(cell + ": " + cause.getMessage(), cause));
          time = "-";
          result = "FAILED: " + String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        }
        matrix.add(new Matrix.Row(cell.toString(), setup.describe(), "a1 <-> b1", result, time));
      }
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
      if (cell.mode() == SecurityMode.SECURE) {
        session.assertDiscovered(setup); // checks the fingerprint too, which RAW connections have none of
      }
      // the later side's window ends a skew after the earlier side's
      Outcome outcome = session.awaitOutcome(window.plus(cell.skew()).plus(OUTCOME_MARGIN));
      System.out.printf("natlab skew %s (%s): %s%n", cell, setup.describe(), outcome.describe());
      session.assertEstablishedVia(outcome, Route.PUBLIC);
      session.assertDataBothWaysThenHalfClose();
      return outcome.establishMillis() + " ms (" + outcome.afterLaterCall().toMillis() + " ms after the later call)";
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
