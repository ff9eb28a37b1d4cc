package dev.punchd.bench.datapath;

import dev.punchd.bench.BenchConfig;
import dev.punchd.bench.Format;
import dev.punchd.bench.Row;
import dev.punchd.bench.Section;
import dev.punchd.bench.Stats;
import dev.punchd.bench.datapath.DataPath.Kind;
import java.util.List;
import java.util.Map;

/** Item 2: Stream throughput through two sidecars, RAW and SECURE, against a loopback TCP pair. */
public final class ThroughputSection implements Section {
  @Override
  public int item() {
    return 2;
  }

  @Override
  public String name() {
    return "throughput";
  }

  @Override
  public List<Row> run(BenchConfig config) throws Exception {
    // The median of the iterations' scores, in MB/s (10^6 bytes per second).
    List<Map<Kind, Double>> rounds = JmhRounds.figures(JmhRounds.run(ThroughputBenchmark.class, config),
        result -> result.getPrimaryResult().getStatistics().getPercentile(50)
            * ThroughputBenchmark.BYTES_PER_OP / 1e6);
    return List.of(row(rounds, Kind.RAW, target("RAW")), row(rounds, Kind.SECURE, target("SECURE")));
  }

  /** The target ratio to raw TCP for a security mode ("RAW" or "SECURE"): issue 11's, each way. */
  static double target(String mode) {
    return mode.equals("RAW") ? 0.20 : 0.15;
  }

  /** What the metric column says of how a mode ran: SECURE runs with sessions, as the sidecar's default is. */
  static String setup(String mode) {
    return mode.equals("SECURE") ? ", sessions on (--resume-window 30s)" : "";
  }

  private Row row(List<Map<Kind, Double>> rounds, Kind kind, double target) {
    double value = Stats.median(rounds.stream().map(r -> r.get(kind)).toList());
    double baseline = Stats.median(rounds.stream().map(r -> r.get(Kind.TCP)).toList());
    double ratio = Stats.median(rounds.stream().map(r -> r.get(kind) / r.get(Kind.TCP)).toList());
    return new Row(item(), "Throughput " + kind,
        "MB/s, one Stream, 64 KiB messages" + setup(kind.name()) + " (median of " + rounds.size() + " rounds)",
        Format.number(value), "TCP socket pair " + Format.number(baseline), Format.ratio(ratio),
        ">= " + Format.ratio(target), Row.Verdict.of(ratio >= target));
  }
}
