package dev.punchd.natlab;

import dev.punchd.testing.SidecarApi;
import dev.punchd.testing.UnixSocketChannel;
import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A punchd sidecar inside a lab host, its API on a Unix socket that the test reaches from the root
 * namespace (namespaces share the file system). Discovery asks the lab's reflector. Thread-safe.
 */
final class LabSidecar implements SidecarApi, AutoCloseable {
  /**
   * The sidecar's attempt timeout: punchd's default window, which a punch through RST-answering NATs in
   * this zero-latency lab needs on a busy machine; connections expected to fail set a shorter one.
   */
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final LabProcess process;
  private final UnixSocketChannel channel;

  private LabSidecar(LabProcess process, UnixSocketChannel channel) {
    this.process = process;
    this.channel = channel;
  }

  /** Discovery through the lab's reflector: what sidecars start with unless a test says otherwise. */
  static final List<String> REFLECTOR_DISCOVERY = List.of("--public-ip", "http://" + LabSetup.REFLECTOR_LISTEN + "/");

  /** Starts a sidecar in {@code host} (API on {@code socket}) and returns once its health service answers SERVING. */
  static LabSidecar start(NatLab lab, String host, Path socket, Path log) throws IOException, InterruptedException {
    return start(lab, host, socket, log, REFLECTOR_DISCOVERY);
  }

  /** Starts a sidecar as {@link #start(NatLab, String, Path, Path)} does, with {@code flags} (discovery included). */
  static LabSidecar start(NatLab lab, String host, Path socket, Path log, List<String> flags)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(
        "--api", "unix:" + socket,
        "--local-interfaces", "eth0",
        "--attempt-timeout", ATTEMPT_TIMEOUT.toSeconds() + "s"));
    args.addAll(flags);
    LabProcess process = LabProcess.startPunchd(lab, host, log, args);
    try {
      process.awaitWhileAlive(START_TIMEOUT, "API socket " + socket + " to appear", () -> Files.exists(socket));
      UnixSocketChannel channel = UnixSocketChannel.open(socket);
      try {
        awaitServing(channel, process);
        return new LabSidecar(process, channel);
      } catch (RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (RuntimeException | InterruptedException e) {
      process.close();
      throw e;
    }
  }

  private static void awaitServing(UnixSocketChannel channel, LabProcess process) {
    HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel.channel())
        .withWaitForReady()
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
    if (status != HealthCheckResponse.ServingStatus.SERVING) {
      throw new IllegalStateException(process + " reports " + status + " instead of SERVING");
    }
  }

  String host() {
    return process.host();
  }

  LabProcess process() {
    return process;
  }

  @Override
  public Channel channel() {
    return channel.channel();
  }

  /** The TCP sockets (lines of {@code ss -tanp}) this sidecar's process holds on local port {@code port}. */
  List<String> socketsOnPort(NatLab lab, int port) throws IOException, InterruptedException {
    String owner = "pid=" + process.pid() + ",";
    return lab.run(host(), "ss", "-Htanp", "sport = :" + port).lines()
        .filter(line -> line.contains(owner))
        .toList();
  }

  /** Closes the channel first (ending open calls, so the sidecar need not wait for them), then the process. */
  @Override
  public void close() throws InterruptedException {
    try {
      channel.close();
    } finally {
      process.close();
    }
  }

  @Override
  public String toString() {
    return process.toString();
  }
}
