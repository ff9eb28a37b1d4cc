package dev.punchd.bench.app;

import dev.punchd.bench.Format;
import dev.punchd.bench.Stats;
import java.util.ArrayList;
import java.util.List;

/**
 * The times of a cell's punches: from the later call to Established on both sides (the row's figure), and to
 * Established on the later caller's side and on the earlier caller's side alone (where a round trip goes to
 * only one side). Used by one thread.
 */
public final class PunchTally {
  /** What a row's metric column says the punchd column holds. */
  public static final String METRIC = "success; median / p90 ms from the later call to Established on both sides;"
      + " medians on the later / earlier caller's side";

  private final List<Double> bothSides = new ArrayList<>();
  private final List<Double> laterSide = new ArrayList<>();
  private final List<Double> earlierSide = new ArrayList<>();

  /** Counts an established punch; a failed one adds nothing. */
  public void add(PunchTimer.Punch punch) {
    punch.millis().ifPresent(bothSides::add);
    punch.laterSide().ifPresent(laterSide::add);
    punch.earlierSide().ifPresent(earlierSide::add);
  }

  /** Milliseconds to Established on both sides, one per established punch. */
  public List<Double> millis() {
    return bothSides;
  }

  /** The punchd column: "established/runs; median / p90; later / earlier", or "0/runs". */
  public String cell(int runs) {
    if (bothSides.isEmpty()) {
      return "0/" + runs;
    }
    return bothSides.size() + "/" + runs + "; " + Format.number(Stats.median(bothSides)) + " / "
        + Format.number(Stats.percentile(bothSides, 90)) + "; " + Format.number(Stats.median(laterSide)) + " / "
        + Format.number(Stats.median(earlierSide));
  }
}
