package dev.punchd.testing;

import dev.punchd.Sidecar;
import dev.punchd.SidecarOptions;
import dev.punchd.api.ApiEndpoint;
import dev.punchd.api.ApiSecurity;
import dev.punchd.discovery.PublicIpProviders;
import dev.punchd.engine.Credentials;
import dev.punchd.engine.EngineSettings;
import dev.punchd.engine.TlsCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A real sidecar for tests: API on 127.0.0.1 (OS-chosen port), advertising loopback only, no discovery,
 * short timeouts; plus a plaintext channel to it. Closing closes both.
 */
public final class TestSidecar implements SidecarApi, AutoCloseable {
  private final Sidecar sidecar;
  private final ManagedChannel channel;

  private TestSidecar(Sidecar sidecar, ManagedChannel channel) {
    this.sidecar = sidecar;
    this.channel = channel;
  }

  /** Settings every test starts from: loopback only, no public IP discovery, 10 s attempts. */
  public static EngineSettings testSettings() {
    return EngineSettings.defaults(PublicIpProviders.parse("none"))
        .withLocalInterfaces(List.of("lo"))
        .withTimeouts(Duration.ofSeconds(10), Duration.ofMinutes(5));
  }

  public static TestSidecar start() throws IOException {
    return start(s -> s);
  }

  public static TestSidecar start(UnaryOperator<EngineSettings> customize) throws IOException {
    return start(customize, TlsCredentials.ephemeral());
  }

  /**
   * A sidecar whose SECURE connections run sessions as the command line's default {@code --resume-window 20s}
   * has them: the peer of a punchd process started without that flag (the two must agree).
   */
  public static TestSidecar startLikeTheCommandLine() throws IOException {
    return start(s -> s.withTraversal(s.traversal().withResumeWindow(Duration.ofSeconds(20))));
  }

  /** A sidecar whose SECURE connections take their identities from {@code credentials}. */
  public static TestSidecar start(UnaryOperator<EngineSettings> customize, Supplier<Credentials> credentials)
      throws IOException {
    return start(customize, credentials, SidecarOptions.minimal());
  }

  /** A sidecar with metrics, health-only listener or shutdown grace as {@code options} say. */
  public static TestSidecar start(UnaryOperator<EngineSettings> customize, SidecarOptions options)
      throws IOException {
    return start(customize, TlsCredentials.ephemeral(), options);
  }

  private static TestSidecar start(UnaryOperator<EngineSettings> customize, Supplier<Credentials> credentials,
      SidecarOptions options) throws IOException {
    Sidecar sidecar = Sidecar.start(ApiEndpoint.parse("127.0.0.1:0"), ApiSecurity.localOnly(),
        customize.apply(testSettings()), credentials, options);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", sidecar.api().port())
        .usePlaintext()
        .maxInboundMessageSize(4 << 20)
        .build();
    return new TestSidecar(sidecar, channel);
  }

  public Sidecar sidecar() {
    return sidecar;
  }

  @Override
  public ManagedChannel channel() {
    return channel;
  }



  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    sidecar.close();
  }
}
