package dev.punchd.bench.natlab;

import dev.punchd.bench.BenchConfig;
import dev.punchd.bench.Format;
import dev.punchd.bench.Row;
import dev.punchd.bench.Section;
import dev.punchd.bench.Stats;
import dev.punchd.bench.app.Connector;
import dev.punchd.bench.app.PunchTally;
import dev.punchd.bench.app.PunchTimer;
import dev.punchd.bench.app.SidecarClient;
import dev.punchd.bench.process.BenchProcess;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.SecurityMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Item 1: time to Established through two NATs, for every combination of router kind (cone and fullcone
 * mapping, unsolicited SYNs dropped or answered with RST: {@code --natlab-nat}, {@code --natlab-inbound}),
 * security mode (SECURE, RAW) and call skew ({@code --natlab-skews-ms}, default 0, 1, 5 and 20 s); against
 * plain TCP connects from a1 through nat-a to the lab's public host. Punches run one at a time. Sidecars run
 * in the lab hosts a1 and b1 (API on Unix sockets); the benchmark drives them from the root namespace.
 * Needs root.
 */
public final class NatLabSection implements Section {
  private static final Logger log = LoggerFactory.getLogger(NatLabSection.class);
  /** The sidecar's default attempt window: success rate is measured as users get it (plus the skew). */
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
  /** Without added delay a punch should be this fast from the later call, at the 90th percentile. */
  private static final double P90_TARGET_MS = 100;
  /** Unrecorded punches per mode before measuring: a fresh sidecar JVM's first TLS handshakes take seconds. */
  private static final int WARM_UP_PUNCHES = 5;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  @Override
  public int item() {
    return 1;
  }

  @Override
  public String name() {
    return "natlab";
  }

  @Override
  public List<Row> run(BenchConfig config) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      String why = "the NAT lab needs root (network namespaces)";
      if ("true".equals(System.getenv("CI"))) {
        return List.of(Row.failed(item(), "Time to Established", why));
      }
      log.warn("natlab: {}: skipped", why);
      return List.of(Row.skipped(item(), "Time to Established", why));
    }
    List<Row> rows = new ArrayList<>();
    for (String inbound : config.natlabInbound()) {
      for (String nat : config.natlabNat()) {
        rows.addAll(runLab(config, nat, inbound));
      }
    }
    return rows;
  }

  private List<Row> runLab(BenchConfig config, String nat, String inbound) throws Exception {
    try (Lab lab = Lab.upTwoNats(config.natlabDir(), nat, inbound, config.natlabDelayMs(),
        config.natlabTimeExceeded())) {
      String status = lab.status().strip().replace('\n', ' ');
      log.info("natlab: {}", status);
      if (config.natlabDelayMs() > 0 && !status.contains("delay-applied=yes")) {
        throw new IllegalStateException("--natlab-delay-ms " + config.natlabDelayMs()
            + " asked for, but the lab could not apply it: " + status);
      }
      try (BenchProcess reflector = BenchProcess.start("natlab-reflector", lab.exec("pub",
              BenchProcess.javaJar(config.punchdJar(), List.of("reflector", "--listen", Lab.REFLECTOR))),
              config.workDir().resolve("natlab-reflector.log"))) {
        List<Double> tcpConnects = baseline(config, lab);
        try (LabSidecar a = LabSidecar.start(lab, "a1", config);
            LabSidecar b = LabSidecar.start(lab, "b1", config)) {
          PunchTimer timer = new PunchTimer(new Connector(a.client(), b.client()));
          warmUp(timer);
          List<Row> rows = new ArrayList<>();
          for (SecurityMode mode : List.of(SecurityMode.SECURE, SecurityMode.RAW)) {
            for (Duration skew : config.natlabSkews()) {
              rows.add(measure(timer, mode, skew, nat + "/" + inbound
                  + (config.natlabTimeExceeded() ? "" : ", ISP routers silent on TTL expiry"), config, tcpConnects));
            }
          }
          return rows;
        }
      }
    }
  }

  private static void warmUp(PunchTimer timer) throws Exception {
    for (SecurityMode mode : List.of(SecurityMode.SECURE, SecurityMode.RAW)) {
      ConnectionOptions options = ConnectionOptions.newBuilder().setSecurity(mode).build();
      for (int run = 0; run < WARM_UP_PUNCHES; run++) {
        timer.punch(options, Duration.ZERO, run % 2 == 0, ATTEMPT_TIMEOUT.plusSeconds(5));
      }
    }
  }

  /**
   * Plain TCP connects a1 -> nat-a -> inet -> pub (the reflector's port), in ms, timed inside a1: the same
   * links and NAT as a1's half of the punched path. The probe first waits for the reflector to accept.
   */
  private static List<Double> baseline(BenchConfig config, Lab lab) throws Exception {
    String output = lab.output("a1", BenchProcess.javaMain(config.benchJar(), ConnectProbe.class,
        List.of(Lab.REFLECTOR, Integer.toString(Math.max(20, config.natlabRuns())))));
    return output.lines().filter(line -> line.matches("[0-9.]+")).map(Double::parseDouble).toList();
  }

  private Row measure(PunchTimer timer, SecurityMode mode, Duration skew, String routers, BenchConfig config,
      List<Double> tcpConnects) throws Exception {
    Duration window = ATTEMPT_TIMEOUT.plus(skew);
    ConnectionOptions options = ConnectionOptions.newBuilder().setSecurity(mode)
        .setAttemptTimeoutMs((int) window.toMillis()).build();
    PunchTally tally = new PunchTally();
    List<Double> millis = tally.millis();
    int runs = config.natlabRuns();
    for (int run = 0; run < runs; run++) {
      PunchTimer.Punch punch = timer.punch(options, skew, run % 2 == 0, window.plusSeconds(5));
      tally.add(punch);
      if (punch.millis().isEmpty()) {
        log.warn("natlab: {} skew {} ms, run {} ({} first) failed: {}", mode, skew.toMillis(), run + 1,
            run % 2 == 0 ? "A" : "B", punch.failure());
      }
    }
    log.info("natlab: {} {} skew {} ms: {} of {} established, ms {}", routers, mode, skew.toMillis(), millis.size(),
        runs, millis);
    int rttFactor = mode == SecurityMode.SECURE ? 2 : 1;
    int rttMs = 4 * config.natlabDelayMs(); // a1 -> b1 crosses two public links each way
    double targetMs = rttMs == 0 ? P90_TARGET_MS : rttFactor * rttMs + 20;
    String targetStat = rttMs == 0 ? "p90" : "median";
    double baseline = Stats.median(tcpConnects);
    String benchmark = "Time to Established " + mode + ", calls " + skew.toMillis() + " ms apart, NATs " + routers;
    String metric = PunchTally.METRIC;
    String target = "100%; " + targetStat + " <= " + Format.number(targetMs) + " ms";
    String baselineText = "TCP connect a1->pub: " + Format.number(baseline) + " / "
        + Format.number(Stats.percentile(tcpConnects, 90));
    if (millis.isEmpty()) {
      return new Row(item(), benchmark, metric, tally.cell(runs), baselineText, "-", target, Row.Verdict.MISSED);
    }
    double median = Stats.median(millis);
    double p90 = Stats.percentile(millis, 90);
    return new Row(item(), benchmark, metric, tally.cell(runs), baselineText, Format.ratio(median / baseline), target,
        Row.Verdict.of(millis.size() == runs && (rttMs == 0 ? p90 : median) <= targetMs));
  }

  /** A sidecar process in a lab host, its API on a Unix socket reached from the root namespace. */
  private record LabSidecar(BenchProcess process, SidecarClient client) implements AutoCloseable {
    static LabSidecar start(Lab lab, String host, BenchConfig config) throws Exception {
      Path socket = config.workDir().resolve(host + ".sock");
      BenchProcess process = BenchProcess.start("natlab-" + host, lab.exec(host, BenchProcess.javaJar(
          config.punchdJar(), List.of("--api", "unix:" + socket, "--public-ip", "http://" + Lab.REFLECTOR + "/",
              "--local-interfaces", "eth0"))), config.workDir().resolve("natlab-" + host + ".log"));
      SidecarClient client = SidecarClient.unix(socket);
      try {
        process.awaitServing(client, START_TIMEOUT);
        return new LabSidecar(process, client);
      } catch (Exception e) {
        client.close();
        process.close();
        throw e;
      }
    }

    @Override
    public void close() throws InterruptedException {
      try {
        client.close();
      } finally {
        process.close();
      }
    }
  }
}
