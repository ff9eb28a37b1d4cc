package dev.punchd.natlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether the NAT lab can be built here (root, network namespaces with NAT, the tools of
 * natlab/install-deps); when it cannot, says so loudly and skips, except under {@code CI=true}, where it
 * fails. Stateless.
 */
final class LabPrerequisites {
  private static final List<String> TOOLS = List.of("bash", "ip", "iptables", "ipset", "tc", "flock", "sysctl", "ss");
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);

  private LabPrerequisites() {}

  /** Says loudly that the lab cannot be built because of {@code missing}, then skips, or fails under CI=true. */
  static void skipOrFail(String missing) {
    String message = "natlab end-to-end tests NOT RUN: " + missing
        + ". They need Linux, root, network namespaces with netfilter NAT, and the tools that "
        + "natlab/install-deps installs.";
    shout(message);
    if (isCi()) {
      Assertions.fail("CI=true, so a lab that cannot be built is a failure: " + message);
    }
    Assumptions.abort(message);
  }

  static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Prints a message so that it stands out in a build log (stdout and stderr). */
  static void shout(String message) {
    String banner = "!".repeat(100);
    String text = "\n" + banner + "\n" + message + "\n" + banner + "\n";
    System.out.println(text);
    System.err.println(text);
  }

  /** What is missing, or empty when the lab can be built. */
  static Optional<String> missing(String labId) throws InterruptedException {
    if (!Files.isDirectory(Path.of("/proc/self/ns"))) {
      return Optional.of("this is not Linux with namespaces (/proc/self/ns is missing)");
    }
    try {
      String uid = Commands.run(PROBE_TIMEOUT, "id", "-u").orThrow().output().strip();
      if (!uid.equals("0")) {
        return Optional.of("not running as root (uid " + uid + ")");
      }
      List<String> tools = new ArrayList<>();
      for (String tool : TOOLS) {
        if (!onPath(tool)) {
          tools.add(tool);
        }
      }
      if (!tools.isEmpty()) {
        return Optional.of("missing tools " + tools + " on PATH " + System.getenv("PATH")
            + " (run natlab/install-deps)");
      }
      return probeNamespace("pl-" + labId + "-prereq");
    } catch (IOException | IllegalStateException e) {
      return Optional.of("cannot run the checks: " + e.getMessage());
    }
  }

  /** Creates a scratch namespace and lists its NAT table: what the lab needs from the kernel. */
  private static Optional<String> probeNamespace(String name) throws IOException, InterruptedException {
    Commands.Result add = Commands.run(PROBE_TIMEOUT, "ip", "netns", "add", name);
    if (!add.ok()) {
      return Optional.of("cannot create a network namespace: " + add.describe());
    }
    try {
      Commands.Result nat = Commands.run(PROBE_TIMEOUT, "ip", "netns", "exec", name, "iptables", "-t", "nat", "-S");
      return nat.ok() ? Optional.empty() : Optional.of("no netfilter NAT in a namespace: " + nat.describe());
    } finally {
      Commands.run(PROBE_TIMEOUT, "ip", "netns", "del", name);
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
