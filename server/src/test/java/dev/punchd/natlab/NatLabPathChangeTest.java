package dev.punchd.natlab;

import static dev.punchd.natlab.LabSetup.Inbound.DROP;
import static dev.punchd.natlab.LabSetup.Nat.CONE;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opentest4j.MultipleFailuresError;

/**
 * A SECURE Stream outlives its path through real NATs (a1 behind nat-a, b1 behind nat-b, both cone, dropping
 * unsolicited inbound; coturn on {@code pub}): a transfer that starts on the relay because the direct path is
 * blocked moves to the direct path once it is allowed; a NAT that forgets its mappings, and a public link cut
 * for 5 s, mid-transfer, are survived by a new path; a relayed transfer whose flows to coturn break on one side
 * while the direct path stays blocked resumes through the relay. Every run moves {@link PathChangeRun#SIZE} bytes each
 * way at once, intact (SHA-256), with {@code PathChanged} on both sides (old and new path kinds checked) while
 * bytes were still on their way, and both sides end {@code Closed{COMPLETED}}. {@link #RUNS} runs per case
 * ({@code -Dnatlab.pathchange.runs=20} in the bench); the time from the fault to data flowing again and the
 * throughput after the move (against a connection direct from the start, same run) go to
 * {@code server/target/natlab-pathchange.md}. Needs root (skips loudly, fails under CI=true).
 */
@Tag("natlab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatLabPathChangeTest extends LabTestBase {
  private static final int RUNS = Integer.getInteger("natlab.pathchange.runs", 2);
  /** The faults to run, e.g. {@code -Dnatlab.pathchange.faults=LINK_CUT,NAT_FLUSHED}; all by default. */
  private static final String FAULTS = System.getProperty("natlab.pathchange.faults", "");
  private static final LabSetup SETUP = new LabSetup("two-nats", CONE, CONE, DROP, 0);
  /**
   * Sessions as by default (20 s resume window); keepalive every second and a 3 s peer timeout, so a silent
   * path is noticed in seconds, not in the default 45; the relay only after 2 s, so a direct path wins when
   * it can.
   */
  private static final List<String> FLAGS = LabCoturn.stunAndTurn("--relay-after", "2s", "--keepalive-interval",
      "1s", "--peer-timeout", "3s");

  private final Map<PathChangeRun.Fault, List<PathChangeRun.Measured>> measured =
      new EnumMap<>(PathChangeRun.Fault.class);
  private final List<Double> directMegabytesPerSecond = new ArrayList<>();
  private final String loadAtStart = loadAverage();
  private LabCoturn coturn;

  NatLabPathChangeTest() {
    super("pc", "natlab-pathchange.md");
  }

  @Test
  @Order(1)
  void aConnectionDirectFromTheStartSetsTheThroughputToCompare() throws Exception {
    for (int run = 1; run <= RUNS; run++) {
      PathChangeRun.Measured direct = newRun().directOnly();
      directMegabytesPerSecond.add(direct.megabytesPerSecondAfter());
      matrix.add(new Matrix.Row("direct from the start, run " + run, SETUP.describe(), "a1 <-> b1",
          "OK: " + PathChangeRun.SIZE_MIB + " MiB each way intact, " + format(direct.megabytesPerSecondAfter())
              + " MB/s both ways together", direct.establishMillis() + " ms"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(PathChangeRun.Fault.class)
  @Order(2)
  void theStreamCarriesOnAcrossThePathChange(PathChangeRun.Fault fault) throws Exception {
    Assumptions.assumeTrue(FAULTS.isEmpty() || List.of(FAULTS.split(",")).contains(fault.name()),
        () -> fault + " is not among -Dnatlab.pathchange.faults=" + FAULTS);
    List<Throwable> failures = new ArrayList<>();
    for (int run = 1; run <= RUNS; run++) {
      String name = fault.description() + ", run " + run;
      try {
        PathChangeRun.Measured result = newRun().across(fault);
        measured.computeIfAbsent(fault, f -> new ArrayList<>()).add(result);
        matrix.add(new Matrix.Row(name, SETUP.describe(), "a1 <-> b1", "OK: " + result.describe(),
            result.establishMillis() + " ms"));
      } catch (Exception | AssertionError e) {
        failures.add(new AssertionError(name + ": " + e.getMessage(), e));
        matrix.add(new Matrix.Row(name, SETUP.describe(), "a1 <-> b1", "FAILED: "
            + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), "-"));
      }
    }
    if (!failures.isEmpty()) {
      throw new MultipleFailuresError(fault.description() + ": " + failures.size() + " of " + RUNS + " runs failed",
          failures);
    }
  }

  private PathChangeRun newRun() throws Exception {
    if (coturn == null) {
      coturn = new LabCoturn(fixture);
    }
    List<LabSidecar> sides = coturn.use(SETUP, FLAGS, "a1", "b1");
    return new PathChangeRun(lab, SETUP, sides.get(0), sides.get(1));
  }

  @AfterAll
  void summarise() throws Exception {
    try {
      if (coturn != null) {
        coturn.close();
      }
    } finally {
      double direct = Stats.median(directMegabytesPerSecond);
      matrix.note("Summary (" + RUNS + " runs per case; load average " + loadAtStart + " at the start, "
          + loadAverage() + " at the end; " + PathChangeRun.SIZE_MIB + " MiB each way per run). Direct from the "
          + "start: median " + format(direct) + " MB/s both ways together.");
      for (Map.Entry<PathChangeRun.Fault, List<PathChangeRun.Measured>> entry : measured.entrySet()) {
        List<PathChangeRun.Measured> runs = entry.getValue();
        List<Double> flowing = runs.stream().map(m -> (double) m.flowingAgainMillis()).toList();
        List<Double> after = runs.stream().map(PathChangeRun.Measured::megabytesPerSecondAfter).toList();
        matrix.note("- " + entry.getKey().description() + ": data flowing again on the new path "
            + entry.getKey().flowingFrom() + ": median " + format(Stats.median(flowing)) + " ms, p90 "
            + format(Stats.percentile(flowing, 90)) + " ms (" + runs.size() + " runs); throughput after the move "
            + "median " + format(Stats.median(after)) + " MB/s, " + format(Stats.median(after) / direct)
            + "x the direct-from-the-start median.");
      }
    }
  }

  private static String format(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.2f", value);
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return String.join(" ", fields[0], fields[1], fields[2]);
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** Median and percentiles of small samples (nearest rank). */
  static final class Stats {
    private Stats() {}

    static double median(List<Double> values) {
      return percentile(values, 50);
    }

    static double percentile(List<Double> values, int percent) {
      if (values.isEmpty()) {
        return Double.NaN;
      }
      List<Double> sorted = values.stream().sorted().toList();
      int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
      return sorted.get(Math.max(0, rank - 1));
    }
  }
}
