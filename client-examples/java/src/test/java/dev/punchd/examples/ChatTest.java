package dev.punchd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.Sidecar;
import dev.punchd.api.ApiEndpoint;
import dev.punchd.discovery.PublicIpProviders;
import dev.punchd.engine.EngineSettings;
import dev.punchd.engine.TlsCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chats run in this JVM against real sidecars on loopback, each reading the other's ADDRESSES line. */
class ChatTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String ADDRESSES_LINE = "ADDRESSES \\S+ FINGERPRINT \\S+";

  @Test
  void twoChatsExchangeLinesAndBothExitZeroOnceBothEndTheirInput() throws Exception {
    try (Sidecar a = startSidecar("127.0.0.1:0"); Sidecar b = startSidecar("127.0.0.1:0");
        ChatRun alice = ChatRun.start("--api", api(a)); ChatRun bob = ChatRun.start("--api", api(b))) {
      String aliceLine = alice.stdout.awaitLine(ADDRESSES_LINE, WAIT);
      String bobLine = bob.stdout.awaitLine(ADDRESSES_LINE, WAIT);
      assertThat(aliceLine).matches("ADDRESSES \\S*127\\.0\\.0\\.1:\\d+\\S* FINGERPRINT [0-9a-f]{64}");

      alice.type(bobLine + "\n");
      bob.type(aliceLine + "\n");
      alice.type("hello bob\n");
      alice.type("how are you?\n");
      bob.type("fine, thanks\n");
      bob.stdout.awaitLine("< how are you\\?", WAIT);
      alice.stdout.awaitLine("< fine, thanks", WAIT);
      alice.endInput();
      bob.stderr.awaitLine(Pattern.quote(LineStream.PEER_FINISHED), WAIT);
      // Half-close: bob may still talk after alice is done; the chats end once both are.
      bob.type("see you\n");
      alice.stdout.awaitLine("< see you", WAIT);
      bob.endInput();

      assertThat(alice.awaitExitCode(WAIT)).isZero();
      assertThat(bob.awaitExitCode(WAIT)).isZero();
      assertThat(alice.stdout.lines()).containsExactly(aliceLine, "< fine, thanks", "< see you");
      assertThat(bob.stdout.lines()).containsExactly(bobLine, "< hello bob", "< how are you?");
      assertThat(alice.stderr.text())
          .matches("\\* connected to \\S+:\\d+ \\(SECURE, \\d+ ms\\)\\R\\Q" + LineStream.PEER_FINISHED + "\\E\\R");
      assertThat(bob.stderr.text())
          .matches("\\* connected to \\S+:\\d+ \\(SECURE, \\d+ ms\\)\\R\\Q" + LineStream.PEER_FINISHED + "\\E\\R");
      awaitNoLiveConnections(a);
      awaitNoLiveConnections(b);
    }
  }

  @Test
  void rawChatTakesItsPeerFromFlagsAndDeliversManyLinesInOrder() throws Exception {
    try (Sidecar a = startSidecar("127.0.0.1:0"); Sidecar b = startSidecar("127.0.0.1:0");
        ChatRun alice = ChatRun.start("--api", api(a), "--raw")) {
      String aliceLine = alice.stdout.awaitLine(ADDRESSES_LINE, WAIT);
      assertThat(aliceLine).endsWith(" FINGERPRINT -");
      try (ChatRun bob = ChatRun.start("--api", api(b), "--raw", "--peer-addresses", aliceLine.split(" ")[1])) {
        alice.type(bob.stdout.awaitLine(ADDRESSES_LINE, WAIT) + "\n");
        List<String> lines = IntStream.range(0, 5000).mapToObj(i -> "line " + i + " " + "x".repeat(i % 300)).toList();
        bob.type(String.join("\n", lines) + "\n");
        bob.endInput();
        alice.endInput();

        assertThat(bob.awaitExitCode(WAIT)).isZero();
        assertThat(alice.awaitExitCode(WAIT)).isZero();
        assertThat(alice.stdout.lines()).containsExactlyElementsOf(
            IntStream.range(-1, lines.size()).mapToObj(i -> i < 0 ? aliceLine : "< " + lines.get(i)).toList());
        assertThat(alice.stderr.text())
          .matches("\\* connected to \\S+:\\d+ \\(RAW, \\d+ ms\\)\\R\\Q" + LineStream.PEER_FINISHED + "\\E\\R");
      }
    }
  }

  @Test
  void wrongPeerFingerprintEndsBothChatsWithAOneLineFailureAndExitCodeOne() throws Exception {
    try (Sidecar a = startSidecar("127.0.0.1:0"); Sidecar b = startSidecar("127.0.0.1:0");
        ChatRun alice = ChatRun.start("--api", api(a), "--attempt-timeout-ms", "3000");
        ChatRun bob = ChatRun.start("--api", api(b), "--attempt-timeout-ms", "3000")) {
      String aliceLine = alice.stdout.awaitLine(ADDRESSES_LINE, WAIT);
      String bobLine = bob.stdout.awaitLine(ADDRESSES_LINE, WAIT);
      alice.type(withOtherFingerprint(bobLine) + "\n");
      bob.type(aliceLine + "\n");

      assertThat(alice.awaitExitCode(WAIT)).isEqualTo(1);
      assertThat(alice.stderr.text())
          .matches("chat: connection failed \\(FINGERPRINT_MISMATCH\\): [^\\n]+ within 3000 ms\\)\\R");
      assertThat(bob.awaitExitCode(WAIT)).isEqualTo(1);
      assertThat(bob.stderr.text()).matches("chat: connection failed \\([A-Z_]+\\): [^\\n]+\\R");
    }
  }

  @Test
  void malformedPeerAddressIsReportedInOneLineAndTheConnectionIsClosed() throws Exception {
    try (Sidecar a = startSidecar("127.0.0.1:0");
        ChatRun chat = ChatRun.start("--api", api(a), "--peer-addresses", "not-an-address",
            "--peer-fingerprint", "ab".repeat(32))) {
      assertThat(chat.awaitExitCode(WAIT)).isEqualTo(1);
      assertThat(chat.stderr.text()).matches("chat: AttemptConnection: INVALID_ARGUMENT: [^\\n]*'not-an-address'[^\\n]*\\R");
      awaitNoLiveConnections(a);
    }
  }

  @Test
  void chatOverUnixSocketReportsMissingPeerLineInOneLineAndClosesTheConnection(@TempDir Path dir) throws Exception {
    String socket = "unix:" + dir.resolve("punchd.sock");
    try (Sidecar a = startSidecar(socket); ChatRun chat = ChatRun.start("--api", socket)) {
      chat.stdout.awaitLine(ADDRESSES_LINE, WAIT);
      chat.endInput();
      assertThat(chat.awaitExitCode(WAIT)).isEqualTo(1);
      assertThat(chat.stderr.text()).isEqualTo("chat: stdin ended before the peer's ADDRESSES line\n");
      awaitNoLiveConnections(a);
    }
  }

  @Test
  void unreachableSidecarIsReportedInOneLine(@TempDir Path dir) throws Exception {
    String absent = "unix:" + dir.resolve("absent.sock");
    try (ChatRun chat = ChatRun.start("--api", absent)) {
      assertThat(chat.awaitExitCode(WAIT)).isEqualTo(1);
      assertThat(chat.stdout.text()).isEmpty();
      assertThat(chat.stderr.text()).matches("chat: cannot reach the punchd sidecar at \\Q" + absent + "\\E \\(.+\\)\\R");
    }
  }

  private static Sidecar startSidecar(String endpoint) throws IOException {
    EngineSettings settings = EngineSettings.defaults(PublicIpProviders.parse("none")).withLocalInterfaces(List.of("lo"));
    return Sidecar.start(ApiEndpoint.parse(endpoint), settings, TlsCredentials.ephemeral());
  }

  /** A sidecar counts a connection as ended just after publishing its terminal event: poll briefly. */
  private static void awaitNoLiveConnections(Sidecar sidecar) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (sidecar.manager().liveConnections() != 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(sidecar.manager().liveConnections() + " connections still live after " + WAIT);
      }
      LockSupport.parkNanos(5_000_000);
    }
  }

  private static String api(Sidecar sidecar) {
    return "127.0.0.1:" + sidecar.api().port();
  }

  /** The peer's line with a well-formed fingerprint that is not the peer's. */
  private static String withOtherFingerprint(String line) {
    char last = line.charAt(line.length() - 1);
    return line.substring(0, line.length() - 1) + (last == '0' ? '1' : '0');
  }
}
