package dev.punchd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class ServeCommandTest {

  @Test
  void helpDocumentsEveryFlagWithItsEnvironmentVariable() {
    StringWriter out = new StringWriter();
    CommandLine cli = ServeCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--help")).isZero();

    String help = out.toString();
    List<Field> fields = Stream.of(ServeCommand.class, ApiSecurityOptions.class, OperationsOptions.class)
        .flatMap(type -> Arrays.stream(type.getDeclaredFields())).toList();
    for (Field field : fields) {
      CommandLine.Option option = field.getAnnotation(CommandLine.Option.class);
      if (option != null) {
        assertThat(help).contains(option.names()[0]);
        assertThat(option.defaultValue()).as("env var of %s", option.names()[0]).contains("${env:PUNCHD_");
        String env = option.defaultValue().replaceAll("^\\$\\{env:(PUNCHD_[A-Z_]+).*$", "$1");
        assertThat(help).as("help of %s", option.names()[0]).contains("[" + env + "]");
      }
    }
    assertThat(help).contains("reflector");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "--port-range=5-3|port range", "--public-ip=bogus|'bogus'", "--attempt-timeout=soon|'soon' is not a duration",
      "--api=somewhere|'somewhere'", "--max-connections=0|at least 1",
      "--metrics=localhost:9464|--metrics must be IP:PORT or off: malformed address 'localhost:9464'",
      "--health=8086|--health must be IP:PORT or off: malformed address '8086'",
      "--log-format=yaml|'yaml'", "--allow-peer-addresses=this-host,lan|unknown peer address range 'lan'", "--shutdown-grace=later|'later' is not a duration",
      "--keepalive-interval=often|'often' is not a duration",
      "--peer-timeout=20s|peer timeout must be at least twice the keepalive interval (PT15S), got PT20S"})
  void badValuesExitWithUsageStatusAndAMessageNamingThem(String argument, String message) {
    StringWriter err = new StringWriter();
    CommandLine cli = ServeCommand.commandLine();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));

    String[] args = argument.startsWith("--public-ip") ? new String[] {argument}
        : new String[] {argument, "--public-ip=none"};
    int status = cli.execute(args);

    assertThat(status).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains(message);
    assertThat(Arrays.asList(err.toString().split("\n"))).noneMatch(line -> line.contains("\tat "));
  }
}
