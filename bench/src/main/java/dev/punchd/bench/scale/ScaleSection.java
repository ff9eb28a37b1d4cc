package dev.punchd.bench.scale;

import dev.punchd.bench.BenchConfig;
import dev.punchd.bench.Format;
import dev.punchd.bench.Row;
import dev.punchd.bench.Section;
import dev.punchd.bench.app.Connector;
import dev.punchd.bench.process.Jcmd;
import dev.punchd.bench.process.ProcStatus;
import dev.punchd.bench.process.SidecarProcess;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Item 4 (and item 5's RSS with many connections): one pair of real sidecar processes on loopback, N SECURE
 * connections attempted at once, then heap, RSS and threads of both processes, then mixed traffic over all of
 * them with every byte checked.
 */
public final class ScaleSection implements Section {
  private static final Logger log = LoggerFactory.getLogger(ScaleSection.class);
  private static final long TARGET_HEAP_PER_CONNECTION_KIB = 64;

  @Override
  public int item() {
    return 4;
  }

  @Override
  public String name() {
    return "scale";
  }

  @Override
  public List<Row> run(BenchConfig config) throws Exception {
    int n = config.connections();
    List<String> flags = List.of("--max-connections", Integer.toString(n + 100));
    try (SidecarProcess a = SidecarProcess.start("scale-a", config.punchdJar(), config.workDir(), flags);
        SidecarProcess b = SidecarProcess.start("scale-b", config.punchdJar(), config.workDir(), flags)) {
      Usage idleA = Usage.of(a);
      Usage idleB = Usage.of(b);
      double healthCheckMillis = healthCheckPairMillis(a, b, n);
      log.info("scale: idle A {}, B {}; establishing {} connections", idleA, idleB, n);
      MassConnector.Result connected = new MassConnector(new Connector(a.client(), b.client())).connect(n);
      log.info("scale: {} established, {} failed in {}", connected.established().size(), connected.failed(),
          connected.took());
      Usage busyA = Usage.of(a);
      Usage busyB = Usage.of(b);
      log.info("scale: with connections A {}, B {}", busyA, busyB);
      Duration tcpConnects = TcpConnectBaseline.connect(n);
      log.info("scale: mixed traffic for {}", config.mixedTraffic());
      MixedTraffic.Report traffic =
          MixedTraffic.run(a.client(), b.client(), connected.established(), config.mixedTraffic());
      log.info("scale: traffic {}", traffic);
      return rows(n, connected, healthCheckMillis, tcpConnects, idleA, idleB, busyA, busyB, traffic);
    }
  }

  /** A sidecar process's heap after a full GC, RSS and OS threads at one moment. */
  private record Usage(long heapKiB, long rssKiB, long threads) {
    static Usage of(SidecarProcess sidecar) throws Exception {
      long heap = Jcmd.heapUsedAfterGcKiB(sidecar.pid());
      return new Usage(heap, ProcStatus.rssKiB(sidecar.pid()), ProcStatus.threads(sidecar.pid()));
    }
  }

  /** The allocation baseline: a health check on A then on B (the API's round-trip floor), in ms per pair. */
  private static double healthCheckPairMillis(SidecarProcess a, SidecarProcess b, int pairs) {
    long start = System.nanoTime();
    for (int i = 0; i < pairs; i++) {
      if (!a.client().isServing(Duration.ofSeconds(5)) || !b.client().isServing(Duration.ofSeconds(5))) {
        throw new IllegalStateException("a sidecar stopped serving during the health-check baseline");
      }
    }
    return (System.nanoTime() - start) / 1e6 / pairs;
  }

  private List<Row> rows(int n, MassConnector.Result connected, double healthCheckMillis, Duration tcpConnects,
      Usage idleA, Usage idleB, Usage busyA, Usage busyB, MixedTraffic.Report traffic) {
    int established = connected.established().size();
    double seconds = connected.took().toNanos() / 1e9;
    double tcpSeconds = tcpConnects.toNanos() / 1e9;
    double heapPerConnection = established == 0 ? Double.NaN
        : ((busyA.heapKiB - idleA.heapKiB) + (busyB.heapKiB - idleB.heapKiB)) / 2.0 / established;
    double rssIdle = (idleA.rssKiB + idleB.rssKiB) / 2.0 * 1024 / 1e6;
    double rssBusy = (busyA.rssKiB + busyB.rssKiB) / 2.0 * 1024 / 1e6;
    String failures = connected.failed() == 0 ? "" : "; first failure: " + connected.firstFailure();
    String mixed = Format.number(traffic.bytesSent() / 1e6) + " MB over " + traffic.connections() + " connections ("
        + traffic.bulkConnections() + " bulk) in " + Format.number(traffic.ran().toMillis() / 1000.0) + " s: "
        + traffic.bytesLost() + " bytes lost, " + traffic.corrupted() + " ends with a wrong SHA-256, "
        + traffic.notCompleted() + " Streams not completed OK"
        + (traffic.firstProblem().isEmpty() ? "" : "; first problem: " + traffic.firstProblem());
    double allocateMillis = connected.allocating().toNanos() / 1e6 / n;
    return List.of(
        new Row(item(), "Allocate " + n + " (SECURE)",
            "ms per connection: GetAddresses on A then on B, one connection after another",
            Format.number(allocateMillis), "health Check on A then B: " + Format.number(healthCheckMillis),
            Format.ratio(allocateMillis / healthCheckMillis), "-", Row.Verdict.NO_TARGET),
        new Row(item(), "Establish " + n + " at once (SECURE)",
            "s from the first AttemptConnection to the last Established",
            Format.number(seconds) + " (" + established + "/" + n + " established" + failures + ")",
            n + " TCP connects on loopback: " + Format.number(tcpSeconds), Format.ratio(seconds / tcpSeconds),
            "all established", Row.Verdict.of(established == n)),
        new Row(item(), "Heap per established connection", "KiB, (heap after GC - idle heap) / connections,"
            + " mean of both sidecars", Format.number(heapPerConnection),
            "idle heap " + Format.mebibytes((idleA.heapKiB + idleB.heapKiB) / 2 * 1024), "-",
            "<= " + TARGET_HEAP_PER_CONNECTION_KIB + " KiB",
            Row.Verdict.of(heapPerConnection <= TARGET_HEAP_PER_CONNECTION_KIB)),
        new Row(item(), "Threads with " + established + " connections", "OS threads of sidecar A (/proc)",
            Long.toString(busyA.threads), "idle: " + idleA.threads, Format.ratio((double) busyA.threads / idleA.threads),
            "-", Row.Verdict.NO_TARGET),
        new Row(item(), "Mixed traffic", "bytes lost, both directions of every connection",
            mixed, "-", "-", "0 bytes lost", Row.Verdict.of(traffic.lossless() && established == n)),
        new Row(5, "RSS with " + established + " connections", "VmRSS, MB, mean of both sidecars",
            Format.number(rssBusy), "same processes idle: " + Format.number(rssIdle), Format.ratio(rssBusy / rssIdle),
            "-", Row.Verdict.NO_TARGET));
  }
}
