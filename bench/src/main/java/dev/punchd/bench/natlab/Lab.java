package dev.punchd.bench.natlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's own NAT lab (id {@link #ID}), driven through {@code natlab/lab}: build it, run commands in
 * its hosts, tear it down. Needs root. Thread-safe (the script serialises up and down itself).
 */
final class Lab implements AutoCloseable {
  /** The lab's id: {@code NATLAB_ID} from the environment, else {@code bench}. */
  static final String ID = System.getenv().getOrDefault("NATLAB_ID", "bench");
  /** The reflector's address on the lab's public host {@code pub}. */
  static final String REFLECTOR = "203.0.113.10:8080";

  private final Path script;

  private Lab(Path script) {
    this.script = script;
  }

  /** Builds two NATs of type {@code nat} (a1 behind nat-a, b1 behind nat-b) treating unsolicited SYNs as {@code inbound} says. */
  static Lab upTwoNats(Path natlabDir, String nat, String inbound, int delayMs, boolean timeExceeded)
      throws IOException, InterruptedException {
    Lab lab = new Lab(natlabDir.resolve("lab"));
    lab.run(List.of("up", "two-nats", "--nat-a", nat, "--nat-b", nat, "--inbound", inbound,
        "--delay-ms", Integer.toString(delayMs)));
    for (String isp : List.of("isp-a", "isp-b")) {
      lab.run(List.of("fault", isp, "time-exceeded", timeExceeded ? "on" : "off"));
    }
    return lab;
  }

  /** The command line that runs {@code command} inside lab host {@code host} (same PID: lab exec replaces itself). */
  List<String> exec(String host, List<String> command) {
    List<String> line = new ArrayList<>(List.of("env", "NATLAB_ID=" + ID, script.toString(), "exec", host));
    line.addAll(command);
    return line;
  }


  /** The lab's settings as {@code lab status} prints them. */
  String status() throws IOException, InterruptedException {
    return run(List.of("status"));
  }

  /** Runs {@code command} in {@code host} to its end and returns its output; fails unless it exits 0. */
  String output(String host, List<String> command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("exec", host));
    args.addAll(command);
    return run(args);
  }

  private String run(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("env", "NATLAB_ID=" + ID, script.toString()));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("natlab/lab " + String.join(" ", args) + " failed: " + output.strip());
    }
    return output;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run(List.of("down"));
  }
}
