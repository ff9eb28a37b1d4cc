package dev.punchd.natlab;

import dev.punchd.testing.Awaiting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A punchd JVM running inside a lab host: this JVM's java binary with this test run's class path (the
 * shaded jar does not exist yet when the server module's tests run), output in a log file. Closing sends
 * SIGTERM (punchd closes its connections), then SIGKILL if it lingers. Thread-safe.
 */
final class LabProcess implements AutoCloseable {
  /** Small, quick-starting JVMs: several run at once on a 2-core machine. */
  private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED");
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final String host;
  private final Process process;
  private final Path log;

  private LabProcess(String host, Process process, Path log) {
    this.host = host;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code dev.punchd.Main} with {@code args} inside {@code host}. */
  static LabProcess startPunchd(NatLab lab, String host, Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command()
        .orElseThrow(() -> new IllegalStateException("cannot tell which java runs this test")));
    command.addAll(JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.punchd.Main"));
    command.addAll(args);
    ProcessBuilder builder = lab.exec(host, command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // logback-test.xml is on this class path; PUNCHD_TEST_LOG_LEVEL=DEBUG in the test's environment passes on
    builder.environment().put("PUNCHD_TEST_LOG_LEVEL", System.getenv().getOrDefault("PUNCHD_TEST_LOG_LEVEL", "INFO"));
    return new LabProcess(host, builder.start(), log);
  }

  String host() {
    return host;
  }

  /** The punchd JVM's pid (natlab/lab and ip netns exec replace themselves with it). */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until {@code condition} holds, failing at once (with the log) if the process ends first. */
  void awaitWhileAlive(Duration timeout, String what, BooleanSupplier condition) {
    Awaiting.until(timeout, what + " (punchd in " + host + ")", () -> {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("punchd in " + host + " exited with " + process.exitValue()
            + " before " + what + "; its log " + log + ":\n" + logText());
      }
      return false;
    });
  }

  /** Waits for a line of the log that contains {@code text}. */
  void awaitLog(String text, Duration timeout) {
    awaitWhileAlive(timeout, "'" + text + "' in " + log, () -> logText().contains(text));
  }

  String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log, e);
    }
  }

  /** Ends the process (SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}); idempotent. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Immediate SIGKILL, for the JVM shutdown hook. */
  void kill() {
    process.destroyForcibly();
  }

  @Override
  public String toString() {
    return "punchd in " + host + " (pid " + process.pid() + ", log " + log + ")";
  }
}
