package dev.punchd.bench.datapath;

import dev.punchd.bench.BenchConfig;
import dev.punchd.bench.Format;
import dev.punchd.bench.Row;
import dev.punchd.bench.Section;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Items 2 and 3 driven by a Go application ({@code bench/go/run --tsv}): two sidecar processes, throughput
 * each way and 1 KiB ping-pong for RAW and SECURE, each beside a Go TCP socket pair measured in the same
 * round. It runs with the throughput and latency benchmarks, so the client's language neither flatters nor
 * hides the sidecar. Used by one thread.
 */
public final class GoClientSection implements Section {
  private static final Path SCRIPT = Path.of("bench/go/run");
  private static final long TIMEOUT_MINUTES = 20;
  /** Per mode: throughput each way, p50, p99, CPU per MB of the sidecars and of the client. */
  private static final int FIGURES = 12;

  @Override
  public int item() {
    return 2;
  }

  @Override
  public String name() {
    return "go";
  }

  @Override
  public Set<String> selectedBy() {
    return Set.of(name(), "throughput", "latency");
  }

  @Override
  public List<Row> run(BenchConfig config) throws Exception {
    if (!Files.isExecutable(SCRIPT)) {
      throw new IOException(SCRIPT.toAbsolutePath() + " is missing: run bench/run from the repository's root");
    }
    double seconds = config.iteration().toMillis() / 1000.0;
    Path log = config.workDir().resolve("go-client.log");
    ProcessBuilder builder = new ProcessBuilder(List.of(SCRIPT.toString(), "--tsv", "--rounds",
        Integer.toString(config.rounds()), "--seconds", Double.toString(seconds * config.measurementIterations()),
        "--warmup", Double.toString(seconds * Math.max(1, config.warmupIterations()))))
        .redirectError(log.toFile());
    builder.environment().put("PUNCHD_JAR", config.punchdJar().toString());
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IOException("bench/go/run did not finish within " + TIMEOUT_MINUTES + " minutes; log " + log);
    }
    if (process.exitValue() != 0) {
      throw new IOException("bench/go/run exited with " + process.exitValue() + "; log " + log);
    }
    return rows(out, config.rounds());
  }

  /**
   * Rows from {@code bench/go/run --tsv} lines: mode, figure, punchd, Go TCP pair, ratio (or added µs); the
   * CPU figures are milliseconds per MB.
   */
  static List<Row> rows(String tsv, int rounds) {
    List<Row> rows = new ArrayList<>();
    for (String line : tsv.lines().filter(l -> !l.isBlank()).toList()) {
      String[] f = line.split("\t");
      if (f.length != 5) {
        throw new IllegalArgumentException("unexpected line from bench/go/run: '" + line + "'");
      }
      String mode = f[0];
      double punchd = Double.parseDouble(f[2]);
      double tcp = Double.parseDouble(f[3]);
      double third = Double.parseDouble(f[4]);
      String rounding = ThroughputSection.setup(mode) + " (Go client, median of " + rounds + " rounds)";
      rows.add(switch (f[1]) {
        case "throughput_ab", "throughput_ba" -> {
          double target = ThroughputSection.target(mode);
          yield new Row(2, "Throughput " + mode + ", Go client, " + (f[1].endsWith("ab") ? "A->B" : "B->A"),
              "MB/s, one Stream, 64 KiB messages" + rounding, Format.number(punchd),
              "Go TCP socket pair " + Format.number(tcp), Format.ratio(third), ">= " + Format.ratio(target),
              Row.Verdict.of(third >= target));
        }
        case "p50" -> new Row(3, "Ping-pong 1 KiB " + mode + " p50, Go client", "p50 round trip, µs" + rounding,
            Format.number(punchd) + " (+" + Format.number(third) + ")", "Go TCP ping-pong " + Format.number(tcp),
            Format.ratio(punchd / tcp), "<= +" + Format.number(LatencySection.TARGET_ADDED_MICROS) + " µs over TCP",
            Row.Verdict.of(third <= LatencySection.TARGET_ADDED_MICROS));
        case "p99" -> new Row(3, "Ping-pong 1 KiB " + mode + " p99, Go client", "p99 round trip, µs" + rounding,
            Format.number(punchd), "Go TCP ping-pong " + Format.number(tcp), Format.ratio(punchd / tcp), "-",
            Row.Verdict.NO_TARGET);
        case "cpu_sidecars" -> new Row(2, "CPU per MB " + mode + ", both sidecars, Go client",
            "CPU ms (user + system) per MB in the throughput figures, both sidecar processes" + rounding,
            Format.number(punchd), "Go TCP socket pair, both ends " + Format.number(tcp), Format.ratio(third), "-",
            Row.Verdict.NO_TARGET);
        case "cpu_client" -> new Row(2, "CPU per MB " + mode + ", the Go client",
            "CPU ms (user + system) per MB in the throughput figures, the client process" + rounding,
            Format.number(punchd), "Go TCP socket pair, both ends " + Format.number(tcp), Format.ratio(third), "-",
            Row.Verdict.NO_TARGET);
        default -> throw new IllegalArgumentException(
            "unknown figure '" + f[1].toLowerCase(Locale.ROOT) + "' from bench/go/run");
      });
    }
    if (rows.size() != FIGURES) {
      throw new IllegalArgumentException(
          "bench/go/run printed " + rows.size() + " figures, expected " + FIGURES + ": " + tsv);
    }
    return rows;
  }
}
