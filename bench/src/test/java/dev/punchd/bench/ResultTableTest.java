package dev.punchd.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {
  private final Machine machine = new Machine(2, 24 * 1048576L, "Some CPU", "Linux 6", "JVM 25", "1.00 0.50 0.25");
  private final ZonedDateTime started = ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);

  @Test
  void headerNamesTheDateMachineCommandAndDuration() {
    String page = ResultTable.render(List.of(), machine, started, Duration.ofSeconds(125), "bench/run");

    assertThat(page)
        .contains("- Date: 2026-01-02T03:04:05Z")
        .contains("2 cores (nproc), 24.0 GiB RAM, Some CPU")
        .contains("load average at start 1.00 0.50 0.25")
        .contains("`bench/run` (took 2 min 5 s)");
  }

  @Test
  void rowsAreOrderedByTheIssuesNumberingAndCellsAreEscaped() {
    List<Row> rows = List.of(
        new Row(5, "Startup", "ms", "900", "JVM: 80", "11.25x", "< 1500 ms", Row.Verdict.MET),
        new Row(1, "Punch", "a | b", "20/20", "-", "-", "-", Row.Verdict.NO_TARGET),
        Row.failed(2, "throughput", "boom"));

    String page = ResultTable.render(rows, machine, started, Duration.ZERO, "bench/run");
    List<String> tableRows = page.lines().filter(line -> line.matches("\\| \\d .*")).toList();

    assertThat(tableRows).containsExactly(
        "| 1 | Punch | a \\| b | 20/20 | - | - | - |  |",
        "| 2 | throughput | error | boom | - | - | - | **failed** |",
        "| 5 | Startup | ms | 900 | JVM: 80 | 11.25x | < 1500 ms | yes |");
  }
}
