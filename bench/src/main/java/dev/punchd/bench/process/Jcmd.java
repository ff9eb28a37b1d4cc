package dev.punchd.bench.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Asks a running JVM, through {@code jcmd}, for a full GC and then its used heap. Stateless. */
public final class Jcmd {
  /** A heap space's line: G1's one "garbage-first heap", or each generation (Serial: DefNew, Tenured). */
  private static final Pattern USED = Pattern.compile("\\d+K, used (\\d+)K");

  private Jcmd() {}

  /**
   * Heap in use right after a full GC, in KiB: the sum of GC.heap_info's "...NK, used NK" lines (G1 prints
   * one for the whole heap, Serial one per generation; Metaspace's and the spaces' lines do not match).
   */
  public static long heapUsedAfterGcKiB(long pid) throws IOException, InterruptedException {
    run(pid, "GC.run");
    String info = run(pid, "GC.heap_info");
    Matcher used = USED.matcher(info);
    long sum = 0;
    boolean found = false;
    while (used.find()) {
      sum += Long.parseLong(used.group(1));
      found = true;
    }
    if (!found) {
      throw new IOException("jcmd " + pid + " GC.heap_info printed no 'NK, used NK': " + info);
    }
    return sum;
  }

  private static String run(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " " + command + " failed: " + output);
    }
    return output;
  }
}
