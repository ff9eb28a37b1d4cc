package dev.punchd.cli;

import dev.punchd.engine.NatTraversal;
import dev.punchd.relay.ServerUris;
import dev.punchd.relay.TurnServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The command-line options for STUN and TURN: servers, where TURN credentials come from (the command line,
 * {@code PUNCHD_TURN}, or a file, so that a password need not show in {@code ps}), and the relay budget. A
 * picocli mixin of {@link ServeCommand}. Not thread-safe.
 */
final class TraversalOptions {

  @Option(names = "--stun", paramLabel = "URI", split = ",", defaultValue = "${env:PUNCHD_STUN:-}",
      description = "STUN server stun://HOST:PORT (repeatable): a Binding over TCP from each connection's own port "
          + "gives its real public address; two servers (or one with RFC 5780 OTHER-ADDRESS) tell the NAT's mapping "
          + "behaviour [PUNCHD_STUN, comma-separated] (default: none)")
  List<String> stun = new ArrayList<>();

  @Option(names = "--turn", paramLabel = "URI", split = ",",
      defaultValue = "${env:PUNCHD_TURN:-}",
      description = "TURN server turn://USER:PASSWORD@HOST:PORT (repeatable) giving every SECURE connection a "
          + "relayed TCP address (RFC 6062), used when no direct path completes within --relay-after; the password "
          + "is never logged. Prefer PUNCHD_TURN or --turn-file to keep it out of the process list "
          + "[PUNCHD_TURN, comma-separated] (default: none)")
  List<String> turn = new ArrayList<>();

  @Option(names = "--turn-file", paramLabel = "FILE", defaultValue = "${env:PUNCHD_TURN_FILE}",
      description = "File with one turn:// URI per line ('#' starts a comment), added to --turn [PUNCHD_TURN_FILE]")
  Path turnFile;

  @Option(names = "--relay-after", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_RELAY_AFTER:-3s}",
      description = "A relayed candidate starts its handshake this long after it arrives, so that direct paths "
          + "keep priority [PUNCHD_RELAY_AFTER] (default: ${DEFAULT-VALUE})")
  Duration relayAfter;

  @Option(names = "--gather-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_GATHER_TIMEOUT:-2s}",
      description = "Bound on STUN and TURN together while GetAddresses allocates a connection; what is not "
          + "done by then is reported and left out [PUNCHD_GATHER_TIMEOUT] (default: ${DEFAULT-VALUE})")
  Duration gatherTimeout;

  @Option(names = "--resume-window", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_RESUME_WINDOW:-20s}",
      description = "SECURE connections keep their Stream across a broken path and re-punch this long before "
          + "they are lost (after the peer timeout noticed the loss); a relayed one also moves to a direct path; "
          + "0 turns sessions off, and both peers must agree [PUNCHD_RESUME_WINDOW] (default: ${DEFAULT-VALUE})")
  Duration resumeWindow;

  @Option(names = "--keep-relay", defaultValue = "${env:PUNCHD_KEEP_RELAY:-false}",
      description = "A SECURE connection keeps its TURN allocations for its whole life, also while its path is "
          + "direct, so that a direct path that breaks and cannot be re-punched resumes through the relay. Costs, per "
          + "connection on each side, one allocation of the TURN server's quota, its control connection, accept "
          + "thread and refresh timers; needs --turn and sessions (--resume-window above 0), else punchd refuses to "
          + "start. Off: allocations are released once the path is direct [PUNCHD_KEEP_RELAY] "
          + "(default: ${DEFAULT-VALUE})")
  boolean keepRelay;

  @Option(names = "--opener-ttl", paramLabel = "HOPS", defaultValue = "${env:PUNCHD_OPENER_TTL:-0}",
      description = "After a dial refused by the peer's NAT (RST), dial again with this TTL and wait in SYN-SENT for "
          + "the peer's SYN ('mapping opener'): it must pass your own NAT(s) (2 passes one home router) and die "
          + "before the peer's NAT. Helps only where the router it dies at stays silent (no ICMP time-exceeded, "
          + "which aborts the dial); 0 turns openers off [PUNCHD_OPENER_TTL] (default: ${DEFAULT-VALUE})")
  int openerTtl;

  /**
   * @throws IllegalArgumentException naming a malformed server (password masked) or file line
   * @throws IOException when {@code --turn-file} cannot be read
   */
  NatTraversal toSettings() throws IOException {
    List<InetSocketAddress> stunServers = nonEmpty(stun).stream().map(ServerUris::stun).toList();
    List<TurnServer> turnServers = new ArrayList<>(nonEmpty(turn).stream().map(ServerUris::turn).toList());
    if (turnFile != null) {
      List<String> lines = readTurnFile();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        try {
          turnServers.add(ServerUris.turn(line));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--turn-file " + turnFile + " line " + (i + 1) + ": " + e.getMessage(), e);
        }
      }
    }
    if (keepRelay && (turnServers.isEmpty() || resumeWindow.isZero())) {
      throw new IllegalArgumentException("--keep-relay needs a TURN server (--turn or --turn-file) and sessions "
          + "(--resume-window above 0); got " + turnServers.size() + " TURN servers and --resume-window "
          + resumeWindow.toMillis() + " ms");
    }
    return NatTraversal.NONE.withServers(stunServers, turnServers).withRelayAfter(relayAfter)
        .withDiscoveryTimeout(gatherTimeout).withResumeWindow(resumeWindow).withOpenerTtl(openerTtl)
        .withKeepRelay(keepRelay);
  }

  private List<String> readTurnFile() throws IOException {
    try {
      return Files.readAllLines(turnFile);
    } catch (IOException e) {
      throw new IOException("--turn-file " + turnFile + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static List<String> nonEmpty(List<String> values) {
    return values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
  }
}
