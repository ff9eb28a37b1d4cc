package dev.punchd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.engine.NatTraversal;
import dev.punchd.relay.ServerUris;
import dev.punchd.relay.TurnServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --stun, --turn, --turn-file and --relay-after: parsed values; errors name the value but never a password. */
class TraversalOptionsTest {

  private static NatTraversal parse(String... args) throws Exception {
    TraversalOptions options = new TraversalOptions();
    new CommandLine(options).parseArgs(args);
    return options.toSettings();
  }

  @Test
  void repeatedAndCommaSeparatedServersAreAllKept() throws Exception {
    NatTraversal traversal = parse("--stun", "stun://127.0.0.1:3478,stun://127.0.0.2:3479",
        "--turn", "turn://alice:s%40cret@127.0.0.1:3478", "--turn", "turn://bob:pw@[::1]:5349",
        "--relay-after", "500ms", "--gather-timeout", "5s", "--resume-window", "30s");

    assertThat(traversal.stunServers()).containsExactly(new InetSocketAddress("127.0.0.1", 3478),
        new InetSocketAddress("127.0.0.2", 3479));
    assertThat(traversal.turnServers()).containsExactly(
        new TurnServer(new InetSocketAddress("127.0.0.1", 3478), "alice", "s@cret"),
        new TurnServer(new InetSocketAddress("::1", 5349), "bob", "pw"));
    assertThat(traversal.turnServers().get(0).toString()).isEqualTo("turn://alice@127.0.0.1:3478");
    assertThat(traversal.relayAfter()).isEqualTo(Duration.ofMillis(500));
    assertThat(traversal.discoveryTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(traversal.resumeWindow()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void withoutFlagsThereIsNoTraversal() throws Exception {
    NatTraversal traversal = parse();

    assertThat(traversal.stunServers()).isEmpty();
    assertThat(traversal.turnServers()).isEmpty();
    assertThat(traversal.relayAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(traversal.discoveryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(traversal.resumeWindow()).as("sessions are on by default").isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void aZeroResumeWindowTurnsSessionsOff() throws Exception {
    assertThat(parse("--resume-window", "0s").resumeWindow()).isZero();
  }

  @Test
  void keepRelayIsOffByDefaultAndNeedsATurnServerAndSessions() throws Exception {
    String turn = "turn://alice:pw@127.0.0.1:3478";
    assertThat(parse("--turn", turn).keepRelay()).isFalse();
    assertThat(parse("--turn", turn, "--keep-relay").keepRelay()).isTrue();

    assertThatThrownBy(() -> parse("--keep-relay"))
        .hasMessage("--keep-relay needs a TURN server (--turn or --turn-file) and sessions (--resume-window above 0); "
            + "got 0 TURN servers and --resume-window 20000 ms");
    assertThatThrownBy(() -> parse("--turn", turn, "--keep-relay", "--resume-window", "0s"))
        .hasMessageStartingWith("--keep-relay needs").hasMessageEndingWith("got 1 TURN servers and --resume-window 0 ms");
  }

  @Test
  void turnFileAddsServersAndNamesTheBadLineWithoutItsPassword(@TempDir Path dir) throws Exception {
    Path good = Files.writeString(dir.resolve("turn"), "# relays\nturn://carol:pw1@127.0.0.1:3478\n\n");
    assertThat(parse("--turn-file", good.toString()).turnServers()).extracting(TurnServer::username)
        .containsExactly("carol");

    Path bad = Files.writeString(dir.resolve("bad"), "turn://carol:pw1@127.0.0.1:3478\nturn://dave:hunter2@host\n");
    assertThatThrownBy(() -> parse("--turn-file", bad.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad + " line 2").hasMessageContaining("turn://dave:***@host")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void malformedValuesAreNamedWithThePasswordMasked() {
    assertThatThrownBy(() -> ServerUris.turn("turn://alice@127.0.0.1:3478"))
        .hasMessage("TURN server 'turn://alice@127.0.0.1:3478': needs a user and a password, as "
            + "turn://user:password@host:port");
    assertThatThrownBy(() -> ServerUris.turn("turn://alice:hunter2@127.0.0.1"))
        .hasMessage("TURN server 'turn://alice:***@127.0.0.1' needs a port in 1..65535");
    assertThatThrownBy(() -> ServerUris.turn("turns://alice:hunter2@127.0.0.1:5349"))
        .hasMessageContaining("'turns://alice:***@127.0.0.1:5349'").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> ServerUris.stun("stun.example.org:3478"))
        .hasMessageContaining("'stun.example.org:3478'").hasMessageContaining("stun://host:port");
    assertThatThrownBy(() -> ServerUris.stun("stun://127.0.0.1:3478/path"))
        .hasMessageContaining("nothing may follow host:port");
  }

  @Test
  void theCommandLineReportsABadTurnValueInOneLineWithoutThePassword() {
    StringWriter err = new StringWriter();
    CommandLine cli = ServeCommand.commandLine();
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute("--api", "127.0.0.1:0", "--public-ip", "none", "--turn", "turn://alice:hunter2@127.0.0.1");

    assertThat(status).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).isEqualTo("punchd: TURN server 'turn://alice:***@127.0.0.1' needs a port in 1..65535"
        + System.lineSeparator());
  }

  @Test
  void negativeRelayBudgetIsRefused() {
    assertThatThrownBy(() -> NatTraversal.NONE.withRelayAfter(Duration.ofSeconds(-1)))
        .hasMessage("relay-after must be zero or positive, got PT-1S");
  }

  @Test
  void negativeResumeWindowIsRefused() {
    assertThatThrownBy(() -> NatTraversal.NONE.withResumeWindow(Duration.ofSeconds(-1)))
        .hasMessage("resume window must be zero (off) or positive, got PT-1S");
  }
}
