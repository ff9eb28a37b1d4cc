package dev.punchd.bench;

import java.util.Locale;

/** Number formatting for the table: a fixed locale, sensible digits. Stateless. */
public final class Format {
  private Format() {}

  /** Three significant-ish digits: 1234 -> "1234", 12.34 -> "12.3", 0.1234 -> "0.123". */
  public static String number(double value) {
    double abs = Math.abs(value);
    if (abs >= 100) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    if (abs >= 1) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }

  public static String ratio(double value) {
    return String.format(Locale.ROOT, "%.2fx", value);
  }

  public static String withUnit(double value, String unit) {
    return number(value) + " " + unit;
  }

  public static String mebibytes(long bytes) {
    return number(bytes / 1048576.0) + " MiB";
  }
}
