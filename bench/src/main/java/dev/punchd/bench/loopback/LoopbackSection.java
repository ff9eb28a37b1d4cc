package dev.punchd.bench.loopback;

import dev.punchd.bench.BenchConfig;
import dev.punchd.bench.Format;
import dev.punchd.bench.Row;
import dev.punchd.bench.Section;
import dev.punchd.bench.Stats;
import dev.punchd.bench.app.Connector;
import dev.punchd.bench.app.PunchTally;
import dev.punchd.bench.app.PunchTimer;
import dev.punchd.bench.process.SidecarProcess;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.SecurityMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Item 1 on loopback: two sidecar processes on this host (addresses on {@code lo}, IPv4 and IPv6), the two
 * AttemptConnection calls 0 ms and 3 s apart (which side calls first alternates), time from the later call
 * to Established on both sides; against a plain TCP connect on loopback. Target: median <= 25 ms. Runs as
 * {@code --natlab-runs} punches per cell (the same N as the NAT lab). Used by one thread.
 */
public final class LoopbackSection implements Section {
  private static final Logger log = LoggerFactory.getLogger(LoopbackSection.class);
  private static final List<Duration> SKEWS = List.of(Duration.ZERO, Duration.ofSeconds(3));
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
  private static final double MEDIAN_TARGET_MS = 25;
  /** Unrecorded punches per mode first: a fresh sidecar JVM's first TLS handshakes take far longer. */
  private static final int WARM_UP_PUNCHES = 10;
  private static final int TCP_CONNECTS = 50;

  @Override
  public int item() {
    return 1;
  }

  @Override
  public String name() {
    return "loopback";
  }

  @Override
  public List<Row> run(BenchConfig config) throws Exception {
    List<Double> tcpConnects = tcpConnects();
    List<String> flags = List.of();
    try (SidecarProcess a = SidecarProcess.start("loopback-a", config.punchdJar(), config.workDir(), flags);
        SidecarProcess b = SidecarProcess.start("loopback-b", config.punchdJar(), config.workDir(), flags)) {
      PunchTimer timer = new PunchTimer(new Connector(a.client(), b.client()));
      List<Row> rows = new ArrayList<>();
      for (SecurityMode mode : List.of(SecurityMode.SECURE, SecurityMode.RAW)) {
        ConnectionOptions options = ConnectionOptions.newBuilder().setSecurity(mode).build();
        for (int run = 0; run < WARM_UP_PUNCHES; run++) {
          timer.punch(options, Duration.ZERO, run % 2 == 0, ATTEMPT_TIMEOUT);
        }
        for (Duration skew : SKEWS) {
          rows.add(measure(timer, mode, skew, config.natlabRuns(), tcpConnects));
        }
      }
      return rows;
    }
  }

  private Row measure(PunchTimer timer, SecurityMode mode, Duration skew, int runs, List<Double> tcpConnects)
      throws Exception {
    ConnectionOptions options = ConnectionOptions.newBuilder().setSecurity(mode)
        .setAttemptTimeoutMs((int) ATTEMPT_TIMEOUT.plus(skew).toMillis()).build();
    PunchTally tally = new PunchTally();
    List<Double> millis = tally.millis();
    for (int run = 0; run < runs; run++) {
      PunchTimer.Punch punch = timer.punch(options, skew, run % 2 == 0, ATTEMPT_TIMEOUT.plus(skew).plusSeconds(5));
      tally.add(punch);
      if (punch.millis().isEmpty()) {
        log.warn("loopback: {} skew {} ms, run {} failed: {}", mode, skew.toMillis(), run + 1, punch.failure());
      }
    }
    log.info("loopback: {} skew {} ms: {} of {} established, ms {}", mode, skew.toMillis(), millis.size(), runs,
        millis);
    String benchmark = "Time to Established " + mode + " on loopback, calls " + skew.toMillis() + " ms apart";
    String metric = PunchTally.METRIC;
    String target = "100%; median <= " + Format.number(MEDIAN_TARGET_MS) + " ms";
    double baseline = Stats.median(tcpConnects);
    String baselineText = "TCP connect on loopback: " + Format.number(baseline) + " / "
        + Format.number(Stats.percentile(tcpConnects, 90));
    if (millis.isEmpty()) {
      return new Row(item(), benchmark, metric, tally.cell(runs), baselineText, "-", target, Row.Verdict.MISSED);
    }
    double median = Stats.median(millis);
    return new Row(item(), benchmark, metric, tally.cell(runs), baselineText, Format.ratio(median / baseline), target,
        Row.Verdict.of(millis.size() == runs && median <= MEDIAN_TARGET_MS));
  }

  /** Plain TCP connects on loopback, one at a time, in ms. */
  private static List<Double> tcpConnects() throws IOException {
    List<Double> millis = new ArrayList<>();
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TCP_CONNECTS);
      for (int i = 0; i < TCP_CONNECTS; i++) {
        long start = System.nanoTime();
        try (Socket dialled = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            Socket accepted = listener.accept()) {
          millis.add((System.nanoTime() - start) / 1e6);
        }
      }
    }
    return millis;
  }
}
