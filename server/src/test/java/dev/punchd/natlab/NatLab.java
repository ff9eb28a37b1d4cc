package dev.punchd.natlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Drives {@code natlab/lab} for one lab id: builds and removes the lab, runs commands inside its hosts.
 * Thread-safe (the script serialises up and down itself).
 */
final class NatLab {
  private static final Duration UP_DOWN_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

  private final Path script;
  private final String id;

  NatLab(Path repoRoot, String id) {
    this.script = repoRoot.resolve("natlab/lab");
    this.id = id;
  }

  /** The repository root: the first directory from the working directory upwards that holds natlab/lab. */
  static Path findRepoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isExecutable(dir.resolve("natlab/lab"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no natlab/lab in " + Path.of("").toAbsolutePath() + " or above");
  }

  String id() {
    return id;
  }

  /** Builds the lab as {@code setup} says (the script rebuilds it when the settings differ). */
  void up(LabSetup setup) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(script.toString(), "up"));
    command.addAll(setup.upArguments());
    Commands.run(builder(command), UP_DOWN_TIMEOUT).orThrow();
  }

  /** Ends every process in the lab and removes its namespaces. */
  void down() throws IOException, InterruptedException {
    Commands.run(builder(List.of(script.toString(), "down")), UP_DOWN_TIMEOUT).orThrow();
  }

  boolean delayAvailable() throws IOException, InterruptedException {
    return Commands.run(builder(List.of(script.toString(), "delay-available")), COMMAND_TIMEOUT).ok();
  }

  /** A process builder for {@code natlab/coturn ARGS} in this lab (coturn on {@code pub}). */
  ProcessBuilder coturn(String... args) {
    List<String> command = new ArrayList<>(List.of(script.resolveSibling("coturn").toString()));
    command.addAll(Arrays.asList(args));
    return builder(command);
  }

  /** A process builder for {@code command} inside {@code host}; its process is the command itself. */
  ProcessBuilder exec(String host, List<String> command) {
    List<String> full = new ArrayList<>(List.of(script.toString(), "exec", host));
    full.addAll(command);
    return builder(full);
  }

  /** Runs a short command inside {@code host} and returns its output; fails on a non-zero exit. */
  String run(String host, String... command) throws IOException, InterruptedException {
    return Commands.run(exec(host, Arrays.asList(command)), COMMAND_TIMEOUT).orThrow().output();
  }

  /** Breaks something in {@code host}: {@code lab fault HOST ACTION...} (natlab/README.md, "Faults"). */
  void fault(String host, String... action) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(script.toString(), "fault", host));
    command.addAll(Arrays.asList(action));
    Commands.run(builder(command), COMMAND_TIMEOUT).orThrow();
  }

  /** The namespaces of this lab that exist now. */
  List<String> namespaces() throws IOException, InterruptedException {
    String prefix = "pl-" + id + "-";
    return Commands.run(COMMAND_TIMEOUT, "ip", "netns", "list").orThrow().output().lines()
        .map(line -> line.split(" ")[0])
        .filter(name -> name.startsWith(prefix))
        .toList();
  }

  /** The pids of the processes running in {@code namespace}, but the lab's own delayers (natlab/delay). */
  List<String> pidsIn(String namespace) throws IOException, InterruptedException {
    return Commands.run(COMMAND_TIMEOUT, "ip", "netns", "pids", namespace).orThrow().output().lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .filter(pid -> !isDelayer(pid))
        .toList();
  }

  private boolean isDelayer(String pid) {
    try {
      String commandLine = Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' ');
      return commandLine.contains(script.resolveSibling("delay").toString());
    } catch (IOException gone) {
      return false;
    }
  }

  private ProcessBuilder builder(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("NATLAB_ID", id);
    return builder;
  }
}
