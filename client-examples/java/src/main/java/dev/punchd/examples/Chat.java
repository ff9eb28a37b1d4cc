package dev.punchd.examples;

import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.SecurityMode;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A line chat between two applications, each driving its own punchd sidecar: prints this side's
 * {@code ADDRESSES ... FINGERPRINT ...} line, takes the peer's (flags or first stdin line), punches, then
 * sends stdin lines and prints the peer's as {@code < line}. Exit code 0 after both sides finished, 1 with
 * a one-line message on stderr when the chat fails, 2 for bad flags. Not thread-safe: one instance per run.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
    description = "Chat with a peer over a connection punched by punchd sidecars.")
public final class Chat implements Callable<Integer> {

  @Option(names = "--api", required = true, paramLabel = "ADDR", converter = ApiAddress.Converter.class,
      description = "punchd sidecar API: host:port or unix:/path")
  private ApiAddress api;

  @Option(names = "--raw", description = "plain TCP connection: no TLS, no fingerprint")
  private boolean raw;

  @Option(names = "--attempt-timeout-ms", paramLabel = "MS",
      description = "how long the sidecar punches before giving up (default: the sidecar's)")
  private int attemptTimeoutMs;

  @ArgGroup(exclusive = false, heading = "Peer (default: read the peer's ADDRESSES line from stdin)%n")
  private PeerFlags peer;

  @Spec
  private CommandLine.Model.CommandSpec spec;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;

  static final class PeerFlags {
    @Option(names = "--peer-addresses", required = true, split = ",", paramLabel = "ADDRESS",
        description = "the peer's addresses, comma-separated")
    List<String> addresses;

    @Option(names = "--peer-fingerprint", paramLabel = "FP", description = "the peer's fingerprint (not with --raw)")
    String fingerprint = "";
  }

  private Chat(InputStream stdin, PrintStream stdout, PrintStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs one chat with the given standard streams and returns its exit code. */
  public static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    return new CommandLine(new Chat(stdin, stdout, stderr))
        .setOut(new PrintWriter(stdout, true))
        .setErr(new PrintWriter(stderr, true))
        .setExecutionExceptionHandler((e, cli, parsed) -> {
          stderr.println("chat: unexpected " + e);
          return 1;
        })
        .execute(args);
  }

  @Override
  public Integer call() throws InterruptedException {
    if (attemptTimeoutMs < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--attempt-timeout-ms must not be negative, got " + attemptTimeoutMs);
    }
    ConnectionOptions options = ConnectionOptions.newBuilder()
        .setSecurity(raw ? SecurityMode.RAW : SecurityMode.SECURE)
        .setAttemptTimeoutMs(attemptTimeoutMs)
        .build();
    try (ApiChannel channel = ApiChannel.open(api)) {
      new ChatSession(api, channel.channel(), stdin, stdout, stderr)
          .run(options, peer == null ? null : new PeerLine(peer.addresses, peer.fingerprint));
      return 0;
    } catch (ChatException e) {
      stderr.println("chat: " + e.getMessage());
      return 1;
    }
  }
}
