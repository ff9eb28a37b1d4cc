package dev.punchd.bench;

import dev.punchd.bench.datapath.GoClientSection;
import dev.punchd.bench.datapath.LatencySection;
import dev.punchd.bench.datapath.ThroughputSection;
import dev.punchd.bench.footprint.FootprintSection;
import dev.punchd.bench.loopback.LoopbackSection;
import dev.punchd.bench.natlab.NatLabSection;
import dev.punchd.bench.scale.ScaleSection;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one benchmark command ({@code bench/run}): runs every benchmark of issue 7, prints the Markdown table on
 * stdout (progress goes to stderr) and writes it to a file. Exits 1 when a benchmark failed to produce its
 * figures (a missed target is a figure, not a failure).
 */
@Command(name = "bench/run", mixinStandardHelpOptions = true,
    description = "Benchmarks punchd against raw TCP in the same run and writes a Markdown table.")
public final class BenchMain implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(BenchMain.class);

  @Option(names = "--smoke", description = "Run each benchmark for about a second, only to check that it works.")
  boolean smoke;

  @Option(names = "--only", split = ",", paramLabel = "NAME",
      description = "Run only these benchmarks: natlab, loopback, throughput, latency, go, scale, footprint"
          + " (throughput and latency include the Go client's rows, go runs only those).")
  Set<String> only = Set.of();

  @Option(names = "--rounds", description = "Rounds of throughput and latency (default 3; smoke 1).")
  Integer rounds;

  @Option(names = "--connections", description = "Connections of the scale benchmark (default 1000; smoke 20).")
  Integer connections;

  @Option(names = "--mixed-seconds", description = "Length of the mixed-traffic run in seconds (default 60; smoke 1).")
  Integer mixedSeconds;

  @Option(names = "--startups", description = "Process starts for startup time (default 5; smoke 1).")
  Integer startups;

  @Option(names = "--natlab-runs",
      description = "Punches per skew and mode in the NAT lab and on loopback (default 20; smoke 2).")
  Integer natlabRuns;

  @Option(names = "--natlab-delay-ms", defaultValue = "0",
      description = "Delay on each public link of the NAT lab, each way (default ${DEFAULT-VALUE}).")
  int natlabDelayMs;

  @Option(names = "--natlab-inbound", defaultValue = "drop,rst", split = ",",
      description = "What the lab's NATs do with unsolicited SYNs: drop, rst or both (default ${DEFAULT-VALUE}).")
  List<String> natlabInbound;

  @Option(names = "--natlab-nat", defaultValue = "cone,fullcone", split = ",",
      description = "The lab's NAT types: cone, fullcone or both (default ${DEFAULT-VALUE}).")
  List<String> natlabNat;

  @Option(names = "--natlab-skews-ms", defaultValue = "0,1000,5000,20000", split = ",",
      description = "Call skews in ms between the two AttemptConnection calls (default ${DEFAULT-VALUE}).")
  List<Long> natlabSkewsMs;

  @Option(names = "--natlab-time-exceeded", defaultValue = "on", paramLabel = "on|off",
      description = "Whether the lab's ISP routers answer a packet whose TTL expires there (a mapping opener's SYN) "
          + "with ICMP time-exceeded, which ends the opener's dial (default ${DEFAULT-VALUE}).")
  String natlabTimeExceeded;

  @Option(names = "--punchd-jar", defaultValue = "server/target/punchd.jar", description = "The sidecar's jar.")
  Path punchdJar;

  @Option(names = "--natlab-dir", defaultValue = "natlab", description = "Where the NAT lab's scripts are.")
  Path natlabDir;

  @Option(names = "--out", description = "Where to write the table (default bench/results/latest.md;"
      + " smoke bench/results/smoke.md).")
  Path out;

  /** Where the table goes; everything else printed to System.out (JMH's progress, say) goes to stderr. */
  private static final PrintStream TABLE_OUT = System.out;

  public static void main(String[] args) {
    System.setOut(System.err);
    System.exit(new CommandLine(new BenchMain()).setOut(new PrintWriter(TABLE_OUT, true)).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    BenchConfig config = config();
    log.info("process logs and sockets in {}", config.workDir());
    List<Section> sections = new ArrayList<>(List.of(new FootprintSection(), new ThroughputSection(),
        new LatencySection(), new GoClientSection(), new ScaleSection(), new LoopbackSection(),
        new NatLabSection()));
    sections.removeIf(section -> !only.isEmpty() && Collections.disjoint(only, section.selectedBy()));
    ZonedDateTime started = ZonedDateTime.now();
    Machine machine = Machine.describe();
    long start = System.nanoTime();
    List<Row> rows = new ArrayList<>();
    boolean failed = false;
    for (Section section : sections) {
      log.info("benchmark {} ({} of {}) starting", section.name(), sections.indexOf(section) + 1, sections.size());
      try {
        rows.addAll(section.run(config));
      } catch (Exception e) {
        log.error("benchmark {} failed", section.name(), e);
        rows.add(Row.failed(section.item(), section.name(), e.toString()));
        failed = true;
      }
    }
    failed |= rows.stream().anyMatch(row -> row.verdict() == Row.Verdict.FAILED);
    String table = ResultTable.render(rows, machine, started, Duration.ofNanos(System.nanoTime() - start),
        "bench/run" + (smoke ? " --smoke" : ""));
    Path target = out != null ? out : Path.of(smoke ? "bench/results/smoke.md" : "bench/results/latest.md");
    Files.createDirectories(target.toAbsolutePath().getParent());
    Files.writeString(target, table);
    TABLE_OUT.print(table);
    TABLE_OUT.flush();
    log.info("table written to {}", target);
    return failed ? 1 : 0;
  }

  /**
   * JMH warm-up iterations (2 s each; the Go client warms up for as long): the rows measure a sidecar that
   * runs for days, and C2 still took about 30 % of the sidecars' CPU 8-18 s into a bulk transfer on the
   * 2-core machine (perf, 2026-11-30), which a 2 x 2 s warm-up measured as the data path's cost.
   */
  private static final int WARMUP_ITERATIONS = 8;

  private BenchConfig config() throws URISyntaxException, IOException {
    Path benchJar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!Files.isRegularFile(punchdJar)) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "punchd jar '" + punchdJar + "' does not exist: build it (mvn install -DskipTests) or pass --punchd-jar");
    }
    return new BenchConfig(
        smoke,
        orDefault(rounds, 3, 1),
        smoke ? Duration.ofSeconds(1) : Duration.ofSeconds(2),
        smoke ? 0 : WARMUP_ITERATIONS,
        smoke ? 1 : 3,
        orDefault(connections, 1000, 20),
        Duration.ofSeconds(orDefault(mixedSeconds, 60, 1)),
        orDefault(startups, 5, 1),
        orDefault(natlabRuns, 20, 2),
        natlabDelayMs,
        List.copyOf(natlabInbound),
        List.copyOf(natlabNat),
        natlabSkewsMs.stream().map(Duration::ofMillis).toList(),
        onOff("--natlab-time-exceeded", natlabTimeExceeded),
        punchdJar.toAbsolutePath(),
        natlabDir.toAbsolutePath(),
        benchJar,
        Files.createTempDirectory("punchd-bench-"));
  }

  private boolean onOff(String option, String value) {
    return switch (value) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new CommandLine.ParameterException(new CommandLine(this),
          option + " must be on or off, got '" + value + "'");
    };
  }

  private int orDefault(Integer given, int full, int smokeValue) {
    return given != null ? given : smoke ? smokeValue : full;
  }
}
