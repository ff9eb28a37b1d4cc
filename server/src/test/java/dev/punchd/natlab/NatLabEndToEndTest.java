package dev.punchd.natlab;

import static dev.punchd.natlab.LabSetup.Inbound.DROP;
import static dev.punchd.natlab.LabSetup.Inbound.RST;
import static dev.punchd.natlab.LabSetup.Nat.CONE;
import static dev.punchd.natlab.LabSetup.Nat.SYMMETRIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.natlab.PunchSession.Outcome;
import dev.punchd.natlab.PunchSession.Route;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.FailureReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.opentest4j.MultipleFailuresError;

/**
 * punchd through real Linux NATs: sidecars run inside natlab's client namespaces and are driven from here
 * through their Unix-socket APIs, like applications would. Needs root and network namespaces; without them
 * it skips loudly (fails under CI=true). Prints a matrix at the end and writes it to
 * server/target/natlab-matrix.md. Cases run in order so that those sharing lab settings share the sidecars.
 */
@Tag("natlab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatLabEndToEndTest extends LabTestBase {
  /** Punches per must-connect case ({@code -Dnatlab.runs=N} to measure a distribution). */
  private static final int RUNS = Integer.getInteger("natlab.runs", 5);
  private static final Duration FAILING_ATTEMPT_TIMEOUT = Duration.ofSeconds(8);
  /** How much later than the attempt timeout an outcome may come before the attempt counts as hung. */
  private static final Duration OUTCOME_MARGIN = Duration.ofSeconds(2);
  private static final int DELAY_MILLIS = 20;
  private static final String DATA_CHECKED = (PunchSession.DATA_BYTES >> 20) + " MiB each way SHA-256 OK, closed";
  private static final LabSetup CONE_RST = LabSetup.full(CONE, CONE, RST);
  private static final LabSetup CONE_DROP = LabSetup.full(CONE, CONE, DROP);

  NatLabEndToEndTest() {
    super("e2e", "natlab-matrix.md");
  }



  @Test
  @Order(1)
  void coneToConeConnectsEveryTimeWhenRoutersAnswerRst() throws Exception {
    connectsEveryTime("cone <-> cone", CONE_RST, "a1", "b1", Route.PUBLIC, RUNS);
  }

  @Test
  @Order(2)
  void twoPeersBehindOneNatConnectOverLocalAddresses() throws Exception {
    connectsEveryTime("same NAT", CONE_RST, "a1", "a2", Route.LOCAL, 2);
  }

  @Test
  @Order(3)
  void publicHostAndConeConnect() throws Exception {
    connectsEveryTime("public <-> cone", CONE_RST, "p1", "a1", Route.PUBLIC, 2);
  }

  @Test
  @Order(4)
  void coneToConeConnectsEveryTimeWhenRoutersDrop() throws Exception {
    connectsEveryTime("cone <-> cone", CONE_DROP, "a1", "b1", Route.PUBLIC, RUNS);
  }

  @Test
  @Order(5)
  void coneToConeConnectsWithDelayedPublicLinks() throws Exception {
    LabSetup delayed = CONE_DROP.withDelayMillis(DELAY_MILLIS);
    if (!fixture.delayAvailable()) {
      String why = "delay unavailable (natlab/delay needs python3 and NFQUEUE): the " + DELAY_MILLIS
          + " ms delay case is not run";
      matrix.add(new Matrix.Row("cone <-> cone, " + DELAY_MILLIS + " ms per public link", delayed.describe(),
          "a1 <-> b1", "NOT RUN: delay unavailable", "-"));
      LabPrerequisites.shout(why);
      Assumptions.abort(why);
    }
    connectsEveryTime("cone <-> cone, " + DELAY_MILLIS + " ms per public link", delayed, "a1", "b1", Route.PUBLIC, 3);
  }

  @Test
  @Order(6)
  void symmetricToConeEndsCleanly() throws Exception {
    endsCleanly("symmetric <-> cone", LabSetup.full(SYMMETRIC, CONE, RST), "a1", "b1");
  }

  @Test
  @Order(7)
  void symmetricToSymmetricEndsCleanly() throws Exception {
    endsCleanly("symmetric <-> symmetric", LabSetup.full(SYMMETRIC, SYMMETRIC, RST), "a1", "b1");
  }

  /** {@code runs} connections one after another; each must connect, carry data both ways and close. */
  private void connectsEveryTime(String name, LabSetup setup, String hostA, String hostB, Route route, int runs)
      throws Exception {
    List<LabSidecar> sides = sidecars(name, setup, hostA, hostB);
    List<Long> millis = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      try (PunchSession session = PunchSession.attempt(lab, sides.get(0), sides.get(1),
          ConnectionOptions.getDefaultInstance())) {
        session.assertDiscovered(setup);
        Outcome outcome = session.awaitOutcome(LabSidecar.ATTEMPT_TIMEOUT.plus(OUTCOME_MARGIN));
        System.out.printf("natlab %s (%s) run %d/%d: %s%n", name, setup.describe(), run, runs, outcome.describe());
        session.assertEstablishedVia(outcome, route);
        millis.add(outcome.establishMillis());
        session.assertDataBothWaysThenHalfClose();
        session.assertPortsFreed();
      } catch (Exception | AssertionError e) {
        failures.add(new AssertionError("run " + run + " of " + runs + ": " + e.getMessage(), e));
        System.out.printf("natlab %s (%s) run %d/%d FAILED: %s%n", name, setup.describe(), run, runs, e);
      }
    }
    String result = (runs - failures.size()) + "/" + runs + " connected, " + DATA_CHECKED
        + (failures.isEmpty() ? "" : "; FAILED: " + failures.stream().map(NatLabEndToEndTest::brief)
            .collect(Collectors.joining("; ")));
    matrix.add(new Matrix.Row(name, setup.describe(), hostA + " <-> " + hostB, result,
        millis.stream().map(ms -> ms + " ms").collect(Collectors.joining(", "))));
    if (!failures.isEmpty()) {
      throw new MultipleFailuresError(name + " (" + setup.describe() + "): " + failures.size() + " of " + runs
          + " runs failed", failures);
    }
  }

  /**
   * One connection that may or may not get through: it must either work fully or fail on both sides with a
   * reason, within the attempt timeout, and leave no socket behind.
   */
  private void endsCleanly(String name, LabSetup setup, String hostA, String hostB) throws Exception {
    List<LabSidecar> sides = sidecars(name, setup, hostA, hostB);
    ConnectionOptions options = ConnectionOptions.newBuilder()
        .setAttemptTimeoutMs((int) FAILING_ATTEMPT_TIMEOUT.toMillis())
        .build();
    String result;
    String time = "-";
    try (PunchSession session = PunchSession.attempt(lab, sides.get(0), sides.get(1), options)) {
      session.assertDiscovered(setup);
      Outcome outcome = session.awaitOutcome(FAILING_ATTEMPT_TIMEOUT.plus(OUTCOME_MARGIN));
      System.out.printf("natlab %s (%s): %s%n", name, setup.describe(), outcome.describe());
      if (outcome.bothEstablished()) {
        session.assertEstablishedVia(outcome, Route.PUBLIC_IP);
        time = outcome.establishMillis() + " ms";
        session.assertDataBothWaysThenHalfClose();
        session.assertPortsFreed();
        result = "connected, " + DATA_CHECKED;
      } else {
        assertFailedWithReason(outcome.a(), "A", outcome);
        assertFailedWithReason(outcome.b(), "B", outcome);
        session.assertPortsFreed();
        result = String.format("clean Failed on both sides (%s / %s) after %.1f s (attempt timeout %d s); "
            + "ports freed", outcome.a().getFailed().getReason(), outcome.b().getFailed().getReason(),
            outcome.elapsed().toMillis() / 1000.0, FAILING_ATTEMPT_TIMEOUT.toSeconds());
      }
    } catch (Exception | AssertionError e) {
      matrix.add(new Matrix.Row(name, setup.describe(), hostA + " <-> " + hostB, "FAILED: " + brief(e), time));
      throw e;
    }
    matrix.add(new Matrix.Row(name, setup.describe(), hostA + " <-> " + hostB, result, time));
  }

  /** The first line of a failure's message, shortened for a table cell. */
  private static String brief(Throwable failure) {
    String message = String.valueOf(failure.getMessage()).strip().lines().findFirst().orElse("");
    return message.length() <= 200 ? message : message.substring(0, 200) + "...";
  }

  private static void assertFailedWithReason(Event event, String side, Outcome outcome) {
    assertThat(event.hasFailed()).as("%s's outcome is Failed or both are Established: %s", side,
        outcome.describe()).isTrue();
    assertThat(event.getFailed().getReason()).as("%s's failure reason", side)
        .isNotEqualTo(FailureReason.FAILURE_REASON_UNSPECIFIED);
    assertThat(event.getFailed().getMessage()).as("%s's failure message", side).isNotBlank();
    assertThat(event.getFailed().getAddressErrorsList()).as("%s's per-address errors", side).isNotEmpty();
  }

  private List<LabSidecar> sidecars(String name, LabSetup setup, String hostA, String hostB) throws Exception {
    try {
      return fixture.use(setup, hostA, hostB);
    } catch (Exception e) {
      matrix.add(new Matrix.Row(name, setup.describe(), hostA + " <-> " + hostB, "LAB ERROR: " + brief(e), "-"));
      throw e;
    }
  }
}
