package dev.punchd.natlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands to completion with a bounded wait. Stateless, thread-safe. */
final class Commands {
  private Commands() {}

  /** What a finished command left: its exit code and its output (stdout and stderr merged). */
  record Result(List<String> command, int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }

    /** This result, or an exception naming the command, its exit code and its output. */
    Result orThrow() {
      if (!ok()) {
        throw new IllegalStateException(describe());
      }
      return this;
    }

    String describe() {
      return String.join(" ", command) + " exited with " + exitCode + (output.isBlank() ? "" : ": " + output.strip());
    }
  }

  /** Runs the command; a command still running after {@code timeout} is killed and reported as an error. */
  static Result run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
    Path output = Files.createTempFile("natlab-command", ".out");
    try {
      Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(String.join(" ", builder.command()) + " still running after " + timeout
            + "; killed. Output so far: " + Files.readString(output, StandardCharsets.UTF_8).strip());
      }
      return new Result(builder.command(), process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
    return run(new ProcessBuilder(command), timeout);
  }
}
