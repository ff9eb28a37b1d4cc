package dev.punchd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** What a terminal user reads: short flag errors, plain bind errors, help wrapped between words. */
class CliMessagesTest {
  private static final int HELP_WIDTH = 80;

  private record Run(int status, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Run execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = ServeCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void anUnknownFlagIsOneLineAndAHintNotTheUsage() {
    Run run = execute("--bogus");

    assertThat(run.status()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(run.errLines()).first().isEqualTo("punchd: Unknown option: '--bogus'");
    assertThat(run.errLines()).last().isEqualTo("Try 'punchd --help' for the flags and their defaults.");
    assertThat(run.errLines()).hasSizeLessThanOrEqualTo(3).noneMatch(line -> line.startsWith("Usage:"));
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aMistypedFlagGetsASuggestion() {
    Run run = execute("--metric", "off");

    assertThat(run.status()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(run.err()).contains("--metrics").doesNotContain("Usage:");
  }

  @Test
  void aSubcommandFlagErrorPointsToTheSubcommandsHelp() {
    Run run = execute("reflector", "--bogus");

    assertThat(run.status()).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(run.errLines()).last().isEqualTo("Try 'punchd reflector --help' for the flags and their defaults.");
    assertThat(run.err()).doesNotContain("Usage:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--api", "--health"})
  void aPortInUseIsSaidPlainlyWithTheAddress(String flag) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      List<String> args = flag.equals("--api")
          ? List.of("--api", address, "--public-ip", "none")
          : List.of("--api", "127.0.0.1:0", "--health", address, "--public-ip", "none");

      Run run = execute(args.toArray(String[]::new));

      assertThat(run.status()).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(run.errLines()).singleElement().asString()
          .startsWith("punchd: cannot listen for ")
          .endsWith(" on " + address + ": address already in use");
    }
  }

  @Test
  void helpWrapsBetweenWordsWithinTheWidth() {
    for (String command : List.of("--help", "reflector --help")) {
      Run run = execute(command.split(" "));

      assertThat(run.status()).isZero();
      assertThat(run.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(HELP_WIDTH));
      String words = collapseSpaces(run.out());
      CommandLine cli = ServeCommand.commandLine();
      CommandLine shown = command.startsWith("reflector") ? cli.getSubcommands().get("reflector") : cli;
      for (CommandLine.Model.OptionSpec option : shown.getCommandSpec().options()) {
        // only whitespace may differ from the description as written: no token was split
        assertThat(words).contains(collapseSpaces(String.join(" ", option.description()).replace("%%", "%")));
      }
    }
  }

  @Test
  void descriptionsWrapUnderTheirColumn() {
    String help = execute("--help").out();

    assertThat(help).contains("\n  -h, --help                 Show this help message and exit.\n");
    assertThat(help).containsPattern("\n      --public-ip=SPEC       Public IP discovery:[^\n]*\n {31}\\S");
    assertThat(help).containsPattern("^Usage: punchd \\[[^\n]*\n {14}\\[");
  }

  @Test
  void wrappingNeverSplitsAToken() {
    String wrapped = HelpWrapping.wrap("  --x=Y      some words then https://api.ipify.org/a/long/path end", 40, 0);

    assertThat(wrapped).isEqualTo(String.join("\n",
        "  --x=Y      some words then",
        "               https://api.ipify.org/a/long/path",
        "               end"));
  }

  private static String collapseSpaces(String text) {
    return text.replaceAll("\\s+", " ");
  }
}
