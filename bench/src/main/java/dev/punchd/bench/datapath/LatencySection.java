package dev.punchd.bench.datapath;

import dev.punchd.bench.BenchConfig;
import dev.punchd.bench.Format;
import dev.punchd.bench.Row;
import dev.punchd.bench.Section;
import dev.punchd.bench.Stats;
import dev.punchd.bench.datapath.DataPath.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/** Item 3: 1 KiB ping-pong round trips through two sidecars, p50 and p99, against loopback TCP ping-pong. */
public final class LatencySection implements Section {
  /** Issue 11's target: p50 at most this much above TCP ping-pong in the same run. */
  static final double TARGET_ADDED_MICROS = 300;

  @Override
  public int item() {
    return 3;
  }

  @Override
  public String name() {
    return "latency";
  }

  @Override
  public List<Row> run(BenchConfig config) throws Exception {
    List<Map<Kind, RunResult>> results = JmhRounds.run(PingPongBenchmark.class, config);
    List<Map<Kind, Double>> p50 = JmhRounds.figures(results,
        result -> result.getPrimaryResult().getStatistics().getPercentile(50));
    List<Map<Kind, Double>> p99 = JmhRounds.figures(results,
        result -> result.getPrimaryResult().getStatistics().getPercentile(99));
    List<Row> rows = new ArrayList<>();
    for (Kind kind : List.of(Kind.RAW, Kind.SECURE)) {
      rows.add(p50Row(p50, kind));
      rows.add(p99Row(p99, kind));
    }
    return rows;
  }

  private Row p50Row(List<Map<Kind, Double>> rounds, Kind kind) {
    double value = median(rounds, kind);
    double baseline = median(rounds, Kind.TCP);
    double added = Stats.median(rounds.stream().map(r -> r.get(kind) - r.get(Kind.TCP)).toList());
    return new Row(item(), "Ping-pong 1 KiB " + kind + " p50",
        "p50 round trip, µs" + ThroughputSection.setup(kind.name()) + " (median of " + rounds.size() + " rounds)",
        Format.number(value) + " (+" + Format.number(added) + ")",
        "TCP ping-pong " + Format.number(baseline), Format.ratio(ratio(rounds, kind)),
        "<= +" + Format.number(TARGET_ADDED_MICROS) + " µs over TCP",
        Row.Verdict.of(added <= TARGET_ADDED_MICROS));
  }

  private Row p99Row(List<Map<Kind, Double>> rounds, Kind kind) {
    return new Row(item(), "Ping-pong 1 KiB " + kind + " p99",
        "p99 round trip, µs" + ThroughputSection.setup(kind.name()) + " (median of " + rounds.size() + " rounds)",
        Format.number(median(rounds, kind)), "TCP ping-pong " + Format.number(median(rounds, Kind.TCP)),
        Format.ratio(ratio(rounds, kind)), "-", Row.Verdict.NO_TARGET);
  }

  private static double median(List<Map<Kind, Double>> rounds, Kind kind) {
    return Stats.median(rounds.stream().map(r -> r.get(kind)).toList());
  }

  private static double ratio(List<Map<Kind, Double>> rounds, Kind kind) {
    return Stats.median(rounds.stream().map(r -> r.get(kind) / r.get(Kind.TCP)).toList());
  }
}
