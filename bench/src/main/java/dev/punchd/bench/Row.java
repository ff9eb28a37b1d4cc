package dev.punchd.bench;

/**
 * One line of the result table: a figure, the baseline measured in the same run, their ratio, and the
 * issue's target with whether it is met. Immutable.
 *
 * @param item the numbering (1 NAT lab, 2 throughput, 3 latency, 4 scale, 5 footprint)
 * @param benchmark what is measured, e.g. "Throughput SECURE"
 * @param metric the figure's name and unit, e.g. "MB/s (median of 3)"
 * @param value punchd's figure, formatted
 * @param baseline the same-run baseline and what it is, formatted; "-" when there is none
 * @param ratio value / baseline, formatted; "-" when not meaningful
 * @param target the target; "-" when it sets none
 * @param verdict whether the target is met
 */
public record Row(int item, String benchmark, String metric, String value, String baseline, String ratio,
    String target, Verdict verdict) {

  /** Whether a row meets its target. */
  public enum Verdict {
    MET("yes"), MISSED("**no**"), NO_TARGET(""), FAILED("**failed**"), SKIPPED("skipped");

    private final String text;

    Verdict(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    public static Verdict of(boolean met) {
      return met ? MET : MISSED;
    }
  }

  /** A row saying a benchmark could not produce its figures, and why. */
  public static Row failed(int item, String benchmark, String why) {
    return new Row(item, benchmark, "error", why, "-", "-", "-", Verdict.FAILED);
  }

  /** A row saying a benchmark was not run on this machine, and why. */
  public static Row skipped(int item, String benchmark, String why) {
    return new Row(item, benchmark, "not run", why, "-", "-", "-", Verdict.SKIPPED);
  }
}
