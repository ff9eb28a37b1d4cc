package dev.punchd.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A quiet Maven run prints nothing: .mvn/jvm.config keeps JDK 25 from warning about Maven's own
 * sun.misc.Unsafe use and Debian's jansi from printing stray {@code ESC[0m} resets, and its options are
 * accepted by a Java 17 JVM too (a {@code mvn} started on the default {@code java} must not break).
 */
class MavenOutputTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @ParameterizedTest
  @ValueSource(strings = {"this test's JDK", "/usr/lib/jvm/java-17-openjdk-amd64"})
  void aQuietMavenRunPrintsNothing(String javaHome) throws IOException, InterruptedException {
    Path home = javaHome.startsWith("/") ? Path.of(javaHome)
        : Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
    Assumptions.assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no JDK at " + home);
    ProcessBuilder builder = new ProcessBuilder("mvn", "-B", "-q", "-N", "validate")
        .directory(ROOT.toFile())
        .redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", home.toString());
    builder.environment().remove("MAVEN_OPTS");
    Process mvn = builder.start();
    String output = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(mvn.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(mvn.exitValue()).as("exit status; output:%n%s", output).isZero();
    assertThat(output).as("output on %s", home).isEmpty();
  }
}
