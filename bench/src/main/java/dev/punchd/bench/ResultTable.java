package dev.punchd.bench;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;

/** Renders a run's rows as the Markdown page written to {@code bench/results/latest.md}. Stateless. */
public final class ResultTable {
  private ResultTable() {}

  public static String render(List<Row> rows, Machine machine, ZonedDateTime started, Duration took,
      String command) {
    StringBuilder out = new StringBuilder();
    out.append("# punchd benchmarks\n\n");
    out.append("- Date: ").append(started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
    out.append("- Machine: ").append(machine.summary()).append('\n');
    out.append("- Command: `").append(command).append("` (took ").append(took.toMinutes()).append(" min ")
        .append(took.toSecondsPart()).append(" s)\n");
    out.append("- Baselines are measured in the same run, on the same path; ratios are punchd / baseline"
        + " (medians of the per-round ratios). See bench/README.md for what each row measures.\n\n");
    out.append("| # | Benchmark | Metric | punchd | Baseline (same run) | Ratio | Target | Met |\n");
    out.append("|---|---|---|---|---|---|---|---|\n");
    rows.stream().sorted(Comparator.comparingInt(Row::item)).forEach(row -> out.append("| ")
        .append(row.item()).append(" | ")
        .append(cell(row.benchmark())).append(" | ")
        .append(cell(row.metric())).append(" | ")
        .append(cell(row.value())).append(" | ")
        .append(cell(row.baseline())).append(" | ")
        .append(cell(row.ratio())).append(" | ")
        .append(cell(row.target())).append(" | ")
        .append(row.verdict().text()).append(" |\n"));
    return out.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
