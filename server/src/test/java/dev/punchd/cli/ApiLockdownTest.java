package dev.punchd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.punchd.Sidecar;
import dev.punchd.api.ApiEndpoint;
import dev.punchd.api.ApiSecurity;
import dev.punchd.engine.TlsCredentials;
import dev.punchd.testing.TestCa;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.HolePunchGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The API stays on this host unless protected: the command line refuses a non-loopback API without TLS
 * or {@code --insecure-api}; TLS and mutual TLS work with certificates from a test CA. Every call goes to
 * 127.0.0.1, also when the API listens on 0.0.0.0.
 */
class ApiLockdownTest {
  private static final List<String> QUIET = List.of("--public-ip", "none", "--local-interfaces", "lo");

  @TempDir
  Path files;

  @Test
  void helpDocumentsTheApiSecurityOptionsWithTheirEnvironmentVariables() {
    StringWriter out = new StringWriter();
    picocli.CommandLine command = ServeCommand.commandLine();
    command.setOut(new PrintWriter(out, true));
    assertThat(command.execute("--help")).isZero();

    for (Field field : ApiSecurityOptions.class.getDeclaredFields()) {
      Option option = field.getAnnotation(Option.class);
      if (option != null) {
        String env = option.defaultValue().replaceAll("^\\$\\{env:(PUNCHD_[A-Z_]+).*$", "$1");
        assertThat(env).as("env var of %s", option.names()[0]).matches("PUNCHD_(API_TLS_[A-Z_]+|INSECURE_API)");
        assertThat(out.toString()).contains(option.names()[0]).contains("[" + env + "]");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0:0", "[::]:0", "192.0.2.10:50051"})
  void plaintextApiOnANonLoopbackAddressIsRefusedNamingTheAddressAndTheWaysOut(String address) {
    Run run = execute("--api", address);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("refusing to serve the API on " + ApiEndpoint.parse(address) + " without TLS")
        .contains("--api-tls-cert FILE and --api-tls-key FILE")
        .contains("--api-tls-client-ca FILE")
        .contains("--insecure-api");
  }

  @Test
  void incompleteOrContradictoryApiTlsOptionsAreRefusedNamingThem() throws Exception {
    TestCa ca = TestCa.create("api");
    TestCa.Issued server = ca.issueServer(files, "server");
    Path caFile = ca.writeCertificate(files);

    assertRefused(List.of("--api-tls-cert", server.certificate().toString()), "needs --api-tls-key");
    assertRefused(List.of("--api-tls-key", server.key().toString()), "needs --api-tls-cert");
    assertRefused(List.of("--api-tls-client-ca", caFile.toString()), "needs API TLS");
    assertRefused(List.of("--insecure-api", "--api-tls-cert", server.certificate().toString(),
        "--api-tls-key", server.key().toString()), "--insecure-api contradicts --api-tls-cert");
    Path missing = files.resolve("missing.pem");
    assertRefused(List.of("--api-tls-cert", missing.toString(), "--api-tls-key", server.key().toString()),
        "certificate chain " + missing + " is not a readable file");
    assertRefused(List.of("--api-tls-cert", caFile.toString(), "--api-tls-key", caFile.toString()),
        "private key " + caFile + " holds no unencrypted PRIVATE KEY");
    TestCa.Issued other = ca.issueServer(files, "other");
    assertRefused(List.of("--api-tls-cert", server.certificate().toString(), "--api-tls-key", other.key().toString()),
        "private key " + other.key() + " does not belong to the first certificate in " + server.certificate());
  }

  @Test
  void insecureApiServesEveryInterfaceInPlaintextAndLogsAWarning() throws Exception {
    ListAppender<ILoggingEvent> logged = captureLogsOf(ApiSecurity.class);
    try (Sidecar sidecar = startParsed("--api", "0.0.0.0:0", "--insecure-api")) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.api().port()).usePlaintext().build();
      try {
        assertThat(getAddresses(channel)).isEqualTo(Status.Code.OK);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      detach(logged, ApiSecurity.class);
    }
    assertThat(logged.list).anySatisfy(event -> {
      assertThat(event.getLevel()).isEqualTo(Level.WARN);
      assertThat(event.getFormattedMessage()).contains("0.0.0.0:0").contains("WITHOUT TLS").contains("--insecure-api");
    });
  }

  @Test
  void tlsApiOnEveryInterfaceServesClientsThatTrustItsCaAndNoOthers() throws Exception {
    TestCa ca = TestCa.create("api");
    TestCa stranger = TestCa.create("stranger");
    TestCa.Issued server = ca.issueServer(files, "server");
    try (Sidecar sidecar = startParsed("--api", "0.0.0.0:0",
        "--api-tls-cert", server.certificate().toString(), "--api-tls-key", server.key().toString())) {
      int port = sidecar.api().port();

      assertThat(callOverTls(port, ca.writeCertificate(files), null)).isEqualTo(Status.Code.OK);
      assertThat(callOverTls(port, stranger.writeCertificate(files), null)).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(callInPlaintext(port)).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  @Test
  void mutualTlsAcceptsOnlyClientsWithACertificateFromTheClientCa() throws Exception {
    TestCa serverCa = TestCa.create("server-ca");
    TestCa clientCa = TestCa.create("client-ca");
    TestCa stranger = TestCa.create("stranger");
    TestCa.Issued server = serverCa.issueServer(files, "server");
    Path trusted = serverCa.writeCertificate(files);
    try (Sidecar sidecar = startParsed("--api", "127.0.0.1:0",
        "--api-tls-cert", server.certificate().toString(), "--api-tls-key", server.key().toString(),
        "--api-tls-client-ca", clientCa.writeCertificate(files).toString())) {
      int port = sidecar.api().port();

      assertThat(callOverTls(port, trusted, null)).as("no client certificate").isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(callOverTls(port, trusted, stranger.issueClient(files, "stranger-client")))
          .as("client certificate from another CA").isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(callOverTls(port, trusted, clientCa.issueClient(files, "app")))
          .as("client certificate from the client CA").isEqualTo(Status.Code.OK);
    }
  }

  private record Run(int exitCode, String err) {}

  /** Runs {@code punchd serve} with {@code args}; a sidecar that starts instead of refusing fails the test. */
  private static Run execute(String... args) {
    List<String> all = new ArrayList<>(QUIET);
    all.addAll(List.of(args));
    StringWriter err = new StringWriter();
    picocli.CommandLine command = ServeCommand.commandLine();
    command.setErr(new PrintWriter(err, true));
    int exitCode = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> command.execute(all.toArray(String[]::new)), () -> "punchd " + all + " did not exit");
    return new Run(exitCode, err.toString());
  }

  private static void assertRefused(List<String> args, String expected) {
    List<String> all = new ArrayList<>(List.of("--api", "127.0.0.1:0"));
    all.addAll(args);
    Run run = execute(all.toArray(String[]::new));
    assertThat(run.exitCode()).as("exit code for %s", args).isEqualTo(2);
    assertThat(run.err()).as("error for %s", args).contains(expected);
  }

  /** Parses a command line like {@code punchd serve} does and starts a test sidecar with its API settings. */
  private static Sidecar startParsed(String... args) throws Exception {
    picocli.CommandLine command = ServeCommand.commandLine();
    command.parseArgs(args);
    ServeCommand serve = command.getCommand();
    return Sidecar.start(ApiEndpoint.parse(serve.api), serve.apiSecurity.toSecurity(), TestSidecar.testSettings(),
        TlsCredentials.ephemeral());
  }

  private static Status.Code callOverTls(int port, Path trustedCa, TestCa.Issued clientCertificate)
      throws Exception {
    SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(trustedCa.toFile());
    if (clientCertificate != null) {
      tls.keyManager(clientCertificate.certificate().toFile(), clientCertificate.key().toFile());
    }
    SslContext context = tls.build();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(context).build();
    try {
      return getAddresses(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Status.Code callInPlaintext(int port) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return getAddresses(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Status.Code getAddresses(ManagedChannel channel) {
    try {
      HolePunchGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .getAddresses(GetAddressesRequest.getDefaultInstance());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static ListAppender<ILoggingEvent> captureLogsOf(Class<?> type) {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(type)).addAppender(appender);
    return appender;
  }

  private static void detach(ListAppender<ILoggingEvent> appender, Class<?> type) {
    ((Logger) LoggerFactory.getLogger(type)).detachAppender(appender);
  }
}
