package dev.punchd.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a live process's resident set size and OS thread count from {@code /proc/PID/status}. Stateless. */
public final class ProcStatus {
  private ProcStatus() {}

  /** VmRSS in KiB. */
  public static long rssKiB(long pid) throws IOException {
    return field(pid, "VmRSS");
  }

  /** OS threads (virtual threads not mounted on a carrier are not counted). */
  public static long threads(long pid) throws IOException {
    return field(pid, "Threads");
  }

  private static long field(long pid, String name) throws IOException {
    Path status = Path.of("/proc", Long.toString(pid), "status");
    return Files.readAllLines(status).stream()
        .filter(line -> line.startsWith(name + ":"))
        .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
        .findFirst()
        .orElseThrow(() -> new IOException(status + " has no field " + name));
  }
}
