package dev.punchd.testing;

import dev.punchd.Main;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * punchd as a real process ({@code java -cp <test classpath> dev.punchd.Main}) with its API on a Unix
 * socket in a test directory, its stderr in a file there, and gRPC channels to its API and to its
 * health-only listener (whose port the process logs). Closing kills the process if it still runs.
 */
public final class SidecarProcess implements SidecarApi, AutoCloseable {
  private static final Pattern HEALTH_ADDRESS = Pattern.compile("health also on ([0-9.]+):(\\d+)");

  private final Process process;
  private final long startNanos;
  private final Path socket;
  private final Path log;
  private final EventLoopGroup loop = new EpollEventLoopGroup(1);
  private final List<ManagedChannel> channels = new ArrayList<>(); // guarded by this
  private ManagedChannel apiChannel; // guarded by this

  private SidecarProcess(Process process, long startNanos, Path socket, Path log) {
    this.process = process;
    this.startNanos = startNanos;
    this.socket = socket;
    this.log = log;
  }

  /**
   * Starts punchd with its API on {@code dir/punchd.sock}, loopback only, no discovery, plus
   * {@code flags}. The production logback configuration is used (test resources are on the classpath).
   */
  public static SidecarProcess start(Path dir, String... flags) throws IOException {
    Path socket = dir.resolve("punchd.sock");
    Path log = dir.resolve("punchd.stderr");
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElseThrow(),
        "--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Dlogback.configurationFile=logback.xml",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(),
        "--api", "unix:" + socket, "--public-ip", "none", "--local-interfaces", "lo"));
    command.addAll(List.of(flags));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(dir.resolve("punchd.stdout").toFile())
        .redirectError(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("PUNCHD_"));
    long startNanos = System.nanoTime();
    return new SidecarProcess(builder.start(), startNanos, socket, log);
  }

  public Process process() {
    return process;
  }

  /** When {@link #start} launched the process ({@link System#nanoTime()}). */
  public long startNanos() {
    return startNanos;
  }

  /** The first log line matching {@code pattern}, waiting for it (bounded). */
  public Matcher awaitLog(Pattern pattern, Duration timeout) {
    Matcher[] found = new Matcher[1];
    try {
      Awaiting.until(timeout, "a log line matching " + pattern + " from punchd", () -> {
        for (String line : logLines()) {
          Matcher m = pattern.matcher(line);
          if (m.find()) {
            found[0] = m;
            return true;
          }
        }
        if (!process.isAlive()) {
          throw new AssertionError("punchd exited with " + process.exitValue());
        }
        return false;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; punchd's log:\n" + logText(), e);
    }
    return found[0];
  }

  /** Every line punchd wrote to stderr so far. */
  public List<String> logLines() {
    try {
      return Files.readAllLines(log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read punchd's log " + log, e);
    }
  }

  public String logText() {
    return String.join("\n", logLines());
  }

  /** The channel to the API on the Unix socket (waits for the socket to appear). */
  @Override
  public synchronized ManagedChannel channel() {
    if (apiChannel == null) {
      Awaiting.until(Duration.ofSeconds(60), "punchd's API socket " + socket, () -> {
        if (!process.isAlive()) {
          throw new AssertionError("punchd exited with " + process.exitValue() + "; its log:\n" + logText());
        }
        return Files.exists(socket);
      });
      apiChannel = keep(UnixSocketChannel.builder(socket, loop).build());
    }
    return apiChannel;
  }

  /** A plaintext channel to the health-only listener, at the address punchd logged. */
  public ManagedChannel healthChannel() {
    Matcher address = awaitLog(HEALTH_ADDRESS, Duration.ofSeconds(60));
    return keep(NettyChannelBuilder.forAddress(address.group(1), Integer.parseInt(address.group(2)))
        .usePlaintext().build());
  }

  /** Waits for the process to exit; its exit code, or empty if it still runs after {@code timeout}. */
  public Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(process.exitValue())
        : Optional.empty();
  }

  private synchronized ManagedChannel keep(ManagedChannel channel) {
    channels.add(channel);
    return channel;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    List<ManagedChannel> open;
    synchronized (this) {
      open = List.copyOf(channels);
    }
    for (ManagedChannel channel : open) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
