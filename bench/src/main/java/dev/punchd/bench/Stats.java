package dev.punchd.bench;

import java.util.Arrays;
import java.util.Collection;

/** Order statistics of small samples (nearest-rank percentiles, median of an even count = mean of the middle two). */
public final class Stats {
  private Stats() {}

  public static double median(Collection<Double> values) {
    return percentile(values, 50);
  }

  /**
   * The nearest-rank percentile {@code p} (0 < p <= 100), except that p = 50 of an even count is the mean of
   * the two middle values.
   *
   * @throws IllegalArgumentException when there are no values or p is out of range
   */
  public static double percentile(Collection<Double> values, double p) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("percentile " + p + " of no values");
    }
    if (p <= 0 || p > 100) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int n = sorted.length;
    if (p == 50 && n % 2 == 0) {
      return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
    int rank = (int) Math.ceil(p / 100 * n);
    return sorted[Math.max(rank, 1) - 1];
  }
}
