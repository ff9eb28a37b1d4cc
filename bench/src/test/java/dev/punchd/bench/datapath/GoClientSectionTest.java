package dev.punchd.bench.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.bench.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

class GoClientSectionTest {
  private static final String TSV = """
      RAW\tthroughput_ab\t550.0\t2700.0\t0.2037
      RAW\tthroughput_ba\t400.0\t2600.0\t0.1538
      RAW\tp50\t250.0\t20.0\t230.0
      RAW\tp99\t900.0\t60.0\t840.0
      RAW\tcpu_sidecars\t3.40\t1.00\t3.40
      RAW\tcpu_client\t2.90\t1.00\t2.90
      SECURE\tthroughput_ab\t300.0\t2700.0\t0.1111
      SECURE\tthroughput_ba\t280.0\t2600.0\t0.1077
      SECURE\tp50\t700.0\t20.0\t680.0
      SECURE\tp99\t2000.0\t60.0\t1940.0
      SECURE\tcpu_sidecars\t5.10\t1.00\t5.10
      SECURE\tcpu_client\t3.00\t1.00\t3.00
      """;

  @Test
  void everyFigureBecomesOneRowWithItsBaselineAndVerdict() {
    List<Row> rows = GoClientSection.rows(TSV, 3);

    assertThat(rows).extracting(Row::benchmark).containsExactly(
        "Throughput RAW, Go client, A->B", "Throughput RAW, Go client, B->A",
        "Ping-pong 1 KiB RAW p50, Go client", "Ping-pong 1 KiB RAW p99, Go client",
        "CPU per MB RAW, both sidecars, Go client", "CPU per MB RAW, the Go client",
        "Throughput SECURE, Go client, A->B", "Throughput SECURE, Go client, B->A",
        "Ping-pong 1 KiB SECURE p50, Go client", "Ping-pong 1 KiB SECURE p99, Go client",
        "CPU per MB SECURE, both sidecars, Go client", "CPU per MB SECURE, the Go client");
    assertThat(rows.get(0).ratio()).isEqualTo("0.20x");
    assertThat(rows.get(0).baseline()).isEqualTo("Go TCP socket pair 2700");
    assertThat(rows.get(2).metric()).startsWith("p50");
    assertThat(rows.get(2).value()).isEqualTo("250 (+230)");
    assertThat(rows.get(2).verdict()).isEqualTo(Row.Verdict.MET);
    assertThat(rows.get(8).verdict()).isEqualTo(Row.Verdict.MISSED);
    assertThat(rows.get(3).metric()).startsWith("p99");
    assertThat(rows.get(10).value()).isEqualTo("5.10");
    assertThat(rows.get(10).baseline()).isEqualTo("Go TCP socket pair, both ends 1.00");
    assertThat(rows.get(10).ratio()).isEqualTo("5.10x");
    assertThat(rows.get(11).verdict()).isEqualTo(Row.Verdict.NO_TARGET);
  }

  @Test
  void outputThatIsNotTheEightFiguresIsAnError() {
    assertThatThrownBy(() -> GoClientSection.rows("RAW\tp50\t1\t2\t3\n", 1))
        .hasMessageContaining("expected 12");
    assertThatThrownBy(() -> GoClientSection.rows("| Go client, RAW | p50 |\n", 1))
        .hasMessageContaining("unexpected line");
  }
}
