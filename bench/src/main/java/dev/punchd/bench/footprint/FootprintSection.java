package dev.punchd.bench.footprint;

import dev.punchd.bench.BenchConfig;
import dev.punchd.bench.Format;
import dev.punchd.bench.Row;
import dev.punchd.bench.Section;
import dev.punchd.bench.Stats;
import dev.punchd.bench.process.BenchProcess;
import dev.punchd.bench.process.FreePort;
import dev.punchd.bench.process.ProcStatus;
import dev.punchd.bench.process.SidecarProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Item 5 (idle part): time from process start to health SERVING, and idle RSS, of real sidecar processes,
 * alternating with the baseline {@link IdleJvm} (start to accepting, RSS). RSS with 1,000 connections comes
 * from the scale benchmark, which has them.
 */
public final class FootprintSection implements Section {
  /** How long a just-started process is left alone before its idle RSS is read. */
  private static final Duration SETTLE = Duration.ofSeconds(2);
  private static final double TARGET_STARTUP_MILLIS = 1500;
  static final double TARGET_IDLE_RSS_MB = 128;

  @Override
  public int item() {
    return 5;
  }

  @Override
  public String name() {
    return "footprint";
  }

  @Override
  public List<Row> run(BenchConfig config) throws Exception {
    List<Double> startupMillis = new ArrayList<>();
    List<Double> baselineStartupMillis = new ArrayList<>();
    List<Double> rssMb = new ArrayList<>();
    List<Double> baselineRssMb = new ArrayList<>();
    for (int i = 0; i < config.startups(); i++) {
      int port = FreePort.loopback();
      try (BenchProcess idle = BenchProcess.start("idle-jvm-" + i,
          BenchProcess.javaMain(config.benchJar(), IdleJvm.class, List.of(Integer.toString(port))),
          config.workDir().resolve("idle-jvm-" + i + ".log"))) {
        Duration ready = idle.awaitAccepting(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofSeconds(60));
        baselineStartupMillis.add(ready.toNanos() / 1e6);
        Thread.sleep(SETTLE);
        baselineRssMb.add(ProcStatus.rssKiB(idle.pid()) * 1024 / 1e6);
      }
      try (SidecarProcess sidecar =
          SidecarProcess.start("footprint-" + i, config.punchdJar(), config.workDir(), List.of())) {
        startupMillis.add(sidecar.startup().toNanos() / 1e6);
        Thread.sleep(SETTLE);
        rssMb.add(ProcStatus.rssKiB(sidecar.pid()) * 1024 / 1e6);
      }
    }
    int n = startupMillis.size();
    double startup = Stats.median(startupMillis);
    double baselineStartup = Stats.median(baselineStartupMillis);
    double rss = Stats.median(rssMb);
    double baselineRss = Stats.median(baselineRssMb);
    return List.of(
        new Row(item(), "Startup", "process start to health SERVING, ms (median of " + n + ")",
            Format.number(startup), "JVM listening on a port: " + Format.number(baselineStartup),
            Format.ratio(startup / baselineStartup), "< " + Format.number(TARGET_STARTUP_MILLIS) + " ms",
            Row.Verdict.of(startup < TARGET_STARTUP_MILLIS)),
        new Row(item(), "RSS idle", "VmRSS " + SETTLE.toSeconds() + " s after SERVING, MB (median of " + n + ")",
            Format.number(rss), "JVM listening on a port: " + Format.number(baselineRss),
            Format.ratio(rss / baselineRss), "< " + Format.number(TARGET_IDLE_RSS_MB) + " MB",
            Row.Verdict.of(rss < TARGET_IDLE_RSS_MB)));
  }
}
