package dev.punchd.bench.process;

import dev.punchd.bench.app.SidecarClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A process the benchmark starts (a sidecar, the baseline JVM, a NAT lab helper), with its output in a log
 * file and the moment it was started, so that "time from start to ready" is measured from the fork. Closing
 * sends SIGTERM, then SIGKILL after 15 s. Thread-safe.
 */
public final class BenchProcess implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(5);

  private final String name;
  private final Process process;
  private final long startedNanos;
  private final Path log;
  private final Thread killOnExit;

  private BenchProcess(String name, Process process, long startedNanos, Path log) {
    this.name = name;
    this.process = process;
    this.startedNanos = startedNanos;
    this.log = log;
    // An interrupted run (Ctrl-C, SIGTERM) must not leave sidecars behind.
    this.killOnExit = new Thread(process::destroyForcibly, "kill-" + name);
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  public static BenchProcess start(String name, List<String> command, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    long started = System.nanoTime();
    return new BenchProcess(name, builder.start(), started, log);
  }

  /**
   * {@code java FLAGS -jar JAR ARGS...} with the JVM running this benchmark and the JVM flags {@code ./punchd}
   * runs punchd with (scripts/jvm-options, read from the working directory: bench/run runs in the repository).
   */
  public static List<String> javaJar(Path jar, List<String> args) {
    List<String> command = new ArrayList<>(List.of(javaExecutable().toString()));
    command.addAll(launcherJvmFlags());
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(args);
    return command;
  }

  private static List<String> launcherJvmFlags() {
    Path options = Path.of("scripts", "jvm-options");
    try {
      return Files.readAllLines(options).stream().filter(line -> line.startsWith("-")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read punchd's JVM flags from " + options.toAbsolutePath()
          + ": run the benchmark from the repository root (bench/run does)", e);
    }
  }

  /** {@code java -cp JAR MAIN ARGS...} with the JVM running this benchmark. */
  public static List<String> javaMain(Path jar, Class<?> main, List<String> args) {
    List<String> command = new ArrayList<>(List.of(javaExecutable().toString(), "-cp", jar.toString(), main.getName()));
    command.addAll(args);
    return command;
  }

  public static Path javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** Polls the health service until SERVING; returns the time from the fork to that answer. */
  public Duration awaitServing(SidecarClient client, Duration timeout) throws InterruptedException, TimeoutException {
    return await(timeout, "health SERVING at " + client, () -> client.isServing(Duration.ofMillis(500)));
  }

  /** Polls a TCP connect until the port accepts; returns the time from the fork to that connect. */
  public Duration awaitAccepting(InetSocketAddress address, Duration timeout)
      throws InterruptedException, TimeoutException {
    return await(timeout, "a TCP listener on " + address, () -> {
      try (Socket socket = new Socket()) {
        socket.connect(address, 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private Duration await(Duration timeout, String what, BooleanSupplier ready)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before " + what
            + "; see " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(name + " did not reach " + what + " within " + timeout + "; see " + log);
      }
      Thread.sleep(POLL);
    }
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook kills the process
    }
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
