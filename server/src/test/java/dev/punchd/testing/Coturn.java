package dev.punchd.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's coturn ({@code turnserver}) for a test, listening on loopback only: TCP and UDP on a free port of
 * 127.0.0.1 (and 127.0.0.2 with {@link #RFC5780}), relaying on 127.0.0.1 with loopback peers allowed,
 * long-term credentials for one user, no CLI, no TLS, not daemonised, logging to a temporary file.
 * {@link #close()} kills it (so does this JVM's exit, when it comes first). Without coturn installed, tests skip loudly, or fail under {@code CI=true}
 * ({@code natlab/install-deps} installs it). Not thread-safe.
 */
public final class Coturn implements AutoCloseable {
  public static final String REALM = "punchd.test";
  /** Extra configuration: a second listening IP, so that Binding responses carry OTHER-ADDRESS. */
  public static final String RFC5780 = "listening-ip=127.0.0.2";
  private static final Path BINARY = Path.of("/usr/bin/turnserver");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final int RELAY_PORTS = 32;

  private final Process process;
  private final Thread killOnExit;
  private final Path directory;
  private final InetSocketAddress address;
  private final int altPort;

  private Coturn(Process process, Path directory, InetSocketAddress address, int altPort) {
    this.process = process;
    this.killOnExit = new Thread(process::destroyForcibly, "kill coturn");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    this.directory = directory;
    this.address = address;
    this.altPort = altPort;
  }

  /**
   * Starts coturn with user {@code user}:{@code password} and any extra configuration lines (e.g.
   * {@code user-quota=1}), and waits until it accepts TCP connections.
   */
  public static Coturn start(String user, String password, String... extraConfig) throws IOException,
      InterruptedException {
    requireInstalled();
    Path directory = Files.createTempDirectory("punchd-coturn");
    int[] ports = freeLoopbackPorts(2);
    int relayBase = 20000 + ThreadLocalRandom.current().nextInt(10000 - RELAY_PORTS);
    List<String> config = new ArrayList<>(List.of(
        "listening-ip=127.0.0.1", "listening-port=" + ports[0], "alt-listening-port=" + ports[1],
        "relay-ip=127.0.0.1", "min-port=" + relayBase, "max-port=" + (relayBase + RELAY_PORTS - 1),
        "allow-loopback-peers", "no-multicast-peers", "no-cli", "no-tls", "no-dtls", "no-udp-relay",
        "lt-cred-mech", "realm=" + REALM, "user=" + user + ":" + password,
        "userdb=" + directory.resolve("turndb"), "pidfile=" + directory.resolve("turnserver.pid"),
        "log-file=" + directory.resolve("turnserver.log"), "simple-log", "no-stdout-log"));
    config.addAll(List.of(extraConfig));
    Path file = directory.resolve("turnserver.conf");
    Files.write(file, config, StandardCharsets.UTF_8);
    Process process = new ProcessBuilder(BINARY.toString(), "-c", file.toString())
        .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.log").toFile()).start();
    Coturn coturn = new Coturn(process, directory, new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[0]),
        ports[1]);
    try {
      coturn.awaitListening();
      return coturn;
    } catch (IOException | RuntimeException | Error e) {
      coturn.close();
      throw e;
    }
  }

  /** Skips the calling test loudly when coturn is not installed; under {@code CI=true} fails instead. */
  public static void requireInstalled() {
    if (Files.isExecutable(BINARY)) {
      return;
    }
    String message = "coturn tests NOT RUN: " + BINARY + " is missing (as root, natlab/install-deps installs it)";
    String banner = "!".repeat(100);
    System.err.println("\n" + banner + "\n" + message + "\n" + banner);
    Assertions.assertFalse("true".equalsIgnoreCase(System.getenv("CI")), "CI=true, so: " + message);
    Assumptions.abort(message);
  }

  private static int[] freeLoopbackPorts(int count) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try (Socket probe = new Socket()) {
        probe.connect(address, 200);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IOException("coturn did not listen on " + address + " within " + START_TIMEOUT
              + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + "; log:\n" + log());
        }
      }
      Thread.sleep(20); // polling the listener: coturn offers no readiness signal
    }
  }

  /** The TCP (and UDP) address clients talk to. */
  public InetSocketAddress address() {
    return address;
  }

  /** The RFC 5780 alternate port (listening on every listening IP, like {@link #address()}'s port). */
  public int altPort() {
    return altPort;
  }

  /** What coturn logged so far. */
  public String log() throws IOException {
    Path log = directory.resolve("turnserver.log");
    Path stdout = directory.resolve("stdout.log");
    return (Files.exists(log) ? Files.readString(log) : "") + (Files.exists(stdout) ? Files.readString(stdout) : "");
  }

  @Override
  public void close() throws InterruptedException, IOException {
    Runtime.getRuntime().removeShutdownHook(killOnExit);
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    try (var files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
