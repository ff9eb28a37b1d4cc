package dev.punchd.bench.process;

import dev.punchd.bench.app.SidecarClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real sidecar process on loopback ({@code java -jar punchd.jar --api 127.0.0.1:PORT --public-ip none
 * --local-interfaces lo --metrics 127.0.0.1:PORT2 ...}) and an application's channel to it. Thread-safe; closing stops both.
 */
public final class SidecarProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final BenchProcess process;
  private final SidecarClient client;
  private final Duration startup;

  private SidecarProcess(BenchProcess process, SidecarClient client, Duration startup) {
    this.process = process;
    this.client = client;
    this.startup = startup;
  }

  /** Starts the sidecar and returns once its health service answers SERVING. */
  public static SidecarProcess start(String name, Path punchdJar, Path workDir, List<String> extraFlags)
      throws Exception {
    int port = FreePort.loopback();
    // Metrics on, as the image and the chart run punchd, on a free port: other sidecars on a shared machine
    // may hold 9464, and a sidecar that cannot bind its metrics address runs without metrics.
    List<String> flags = new ArrayList<>(List.of("--api", "127.0.0.1:" + port, "--public-ip", "none",
        "--local-interfaces", "lo", "--metrics", "127.0.0.1:" + FreePort.loopback()));
    flags.addAll(extraFlags);
    SidecarClient client = SidecarClient.tcp("127.0.0.1", port);
    BenchProcess process =
        BenchProcess.start(name, BenchProcess.javaJar(punchdJar, flags), workDir.resolve(name + ".log"));
    try {
      return new SidecarProcess(process, client, process.awaitServing(client, START_TIMEOUT));
    } catch (Exception e) {
      client.close();
      process.close();
      throw e;
    }
  }

  /** From the fork to the first SERVING health answer. */
  public Duration startup() {
    return startup;
  }

  public SidecarClient client() {
    return client;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    try {
      client.close();
    } finally {
      process.close();
    }
  }

  @Override
  public String toString() {
    return process.toString();
  }
}
