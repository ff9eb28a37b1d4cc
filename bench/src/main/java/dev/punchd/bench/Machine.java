package dev.punchd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the numbers were measured on: cores, memory, CPU model, kernel, JVM, and the load when the run
 * started (other people's builds share the machine). Immutable.
 */
public record Machine(int cores, long memoryKiB, String cpu, String kernel, String jvm, String loadAtStart) {

  public static Machine describe() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        memTotalKiB(),
        procField(Path.of("/proc/cpuinfo"), "model name"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        firstWords(Path.of("/proc/loadavg"), 3));
  }

  /** One line for the table's header, e.g. "2 cores, 23.4 GiB RAM, Intel Xeon ...". */
  public String summary() {
    return String.format(Locale.ROOT, "%d cores (nproc), %.1f GiB RAM, %s; %s; %s; load average at start %s",
        cores, memoryKiB / 1048576.0, cpu, kernel, jvm, loadAtStart);
  }

  private static long memTotalKiB() {
    String value = procField(Path.of("/proc/meminfo"), "MemTotal");
    return value.isEmpty() ? 0 : Long.parseLong(value.replaceAll("[^0-9]", ""));
  }

  private static String procField(Path file, String name) {
    try {
      return Files.readAllLines(file).stream()
          .filter(line -> line.startsWith(name))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("");
    } catch (IOException e) {
      return "";
    }
  }

  private static String firstWords(Path file, int count) {
    try {
      String[] words = Files.readString(file).trim().split("\\s+");
      return String.join(" ", java.util.Arrays.copyOf(words, Math.min(count, words.length)));
    } catch (IOException e) {
      return "unknown";
    }
  }
}
