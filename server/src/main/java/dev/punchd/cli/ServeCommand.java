package dev.punchd.cli;

import dev.punchd.Sidecar;
import dev.punchd.api.ApiEndpoint;
import dev.punchd.discovery.PublicIpProviders;
import dev.punchd.engine.Credentials;
import dev.punchd.engine.EngineSettings;
import dev.punchd.engine.PeerAddressPolicy;
import dev.punchd.engine.PortRange;
import dev.punchd.engine.TlsCredentials;
import dev.punchd.transport.Keepalive;
import dev.punchd.transport.tls.Identity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code punchd [serve]}: runs the sidecar until SIGTERM/SIGINT, then shuts it down gracefully and exits 0.
 * It is also the root of the command line, so {@code punchd --api ...} and {@code punchd serve --api ...}
 * are the same. Not thread-safe (used once).
 */
@Command(name = "punchd", mixinStandardHelpOptions = true, version = "punchd 0.1.0",
    description = {"NAT hole-punching sidecar driven over gRPC (punchd.v1.HolePunch).",
        "Runs the sidecar; subcommand 'reflector' serves a what-is-my-IP endpoint instead.",
        "Every option can also be set with the environment variable named in brackets."})
public final class ServeCommand implements Callable<Integer> {
  private static final int HELP_WIDTH = 80;

  /** The full command line: this command as the root, plus {@code serve} and {@code reflector}. */
  public static CommandLine commandLine() {
    CommandLine root = new CommandLine(new ServeCommand());
    root.addSubcommand("serve", new ServeCommand());
    root.addSubcommand("reflector", new ReflectorCommand());
    root.setCaseInsensitiveEnumValuesAllowed(true);
    ShortErrors.install(root);
    HelpWrapping.install(root, HELP_WIDTH);
    return root;
  }

  @Option(names = "--api", paramLabel = "ADDR", defaultValue = "${env:PUNCHD_API:-127.0.0.1:50051}",
      description = "gRPC API address: IP:port or unix:/path/punchd.sock [PUNCHD_API] (default: ${DEFAULT-VALUE})")
  String api;

  @Option(names = "--public-ip", paramLabel = "SPEC",
      defaultValue = "${env:PUNCHD_PUBLIC_IP:-https://api.ipify.org}",
      description = "Public IP discovery: http(s)://URL answering the caller's IP as text, static:IP, or none "
          + "[PUNCHD_PUBLIC_IP] (default: ${DEFAULT-VALUE})")
  String publicIp;

  @Option(names = "--local-interfaces", paramLabel = "NAMES", defaultValue = "${env:PUNCHD_LOCAL_INTERFACES:-}",
      description = "Comma-separated interfaces whose addresses are advertised, e.g. lo,eth0; empty: all that are "
          + "up except loopback. Naming a loopback interface also lets peers be on this host "
          + "[PUNCHD_LOCAL_INTERFACES]")
  String localInterfaces;

  @Option(names = "--allow-peer-addresses", paramLabel = "RANGES",
      defaultValue = "${env:PUNCHD_ALLOW_PEER_ADDRESSES:-}",
      description = "Comma-separated address ranges a peer may name although they are refused by default: "
          + "this-host (loopback and this host's own addresses), link-local, metadata (cloud metadata services) "
          + "[PUNCHD_ALLOW_PEER_ADDRESSES] (default: none)")
  String allowPeerAddresses;

  @Option(names = "--port-range", paramLabel = "FIRST-LAST", defaultValue = "${env:PUNCHD_PORT_RANGE:-any}",
      description = "Local ports for punched connections, or 'any' for OS-chosen [PUNCHD_PORT_RANGE] "
          + "(default: ${DEFAULT-VALUE})")
  String portRange;

  @Option(names = "--attempt-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_ATTEMPT_TIMEOUT:-30s}",
      description = "How long AttemptConnection keeps punching before Failed(TIMEOUT) [PUNCHD_ATTEMPT_TIMEOUT] "
          + "(default: ${DEFAULT-VALUE})")
  Duration attemptTimeout;

  @Option(names = "--retry-interval", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_RETRY_INTERVAL:-200ms}",
      description = "Base pause between re-dials of one peer address, jittered +-50%% [PUNCHD_RETRY_INTERVAL] "
          + "(default: ${DEFAULT-VALUE})")
  Duration retryInterval;

  @Option(names = "--handshake-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_HANDSHAKE_TIMEOUT:-10s}",
      description = "Bound on one TLS handshake plus nomination [PUNCHD_HANDSHAKE_TIMEOUT] (default: ${DEFAULT-VALUE})")
  Duration handshakeTimeout;

  @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_IDLE_TIMEOUT:-5m}",
      description = "An allocated connection without AttemptConnection expires after this [PUNCHD_IDLE_TIMEOUT] "
          + "(default: ${DEFAULT-VALUE})")
  Duration idleTimeout;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "${env:PUNCHD_MAX_CONNECTIONS:-4096}",
      description = "Open connections at most; more get RESOURCE_EXHAUSTED [PUNCHD_MAX_CONNECTIONS] "
          + "(default: ${DEFAULT-VALUE})")
  int maxConnections;

  @Option(names = "--receive-buffer", paramLabel = "BYTES", defaultValue = "${env:PUNCHD_RECEIVE_BUFFER:-1048576}",
      description = "Received bytes held per connection for a slow or absent Stream reader [PUNCHD_RECEIVE_BUFFER] "
          + "(default: ${DEFAULT-VALUE})")
  int receiveBuffer;

  @Option(names = "--keepalive-interval", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_KEEPALIVE_INTERVAL:-15s}",
      description = "An established connection that sent nothing for this long sends a keepalive (SECURE: a PING "
          + "frame; RAW: TCP keepalive probes), so NAT mappings stay open [PUNCHD_KEEPALIVE_INTERVAL] "
          + "(default: ${DEFAULT-VALUE})")
  Duration keepaliveInterval;

  @Option(names = "--peer-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:PUNCHD_PEER_TIMEOUT:-45s}",
      description = "A peer silent for this long (no data, no keepalive) is taken for dead: Closed{CONNECTION_LOST}; "
          + "at least twice the keepalive interval [PUNCHD_PEER_TIMEOUT] (default: ${DEFAULT-VALUE})")
  Duration peerTimeout;

  @Option(names = "--identity-key", paramLabel = "FILE", defaultValue = "${env:PUNCHD_IDENTITY_KEY}",
      description = "Persistent identity (created with mode 0600 if missing): every connection gets the same, "
          + "stable fingerprint. Default: a fresh key per connection [PUNCHD_IDENTITY_KEY]")
  Path identityKey;

  @Mixin
  ApiSecurityOptions apiSecurity = new ApiSecurityOptions();

  @Mixin
  OperationsOptions operations = new OperationsOptions();

  @Mixin
  TraversalOptions traversal = new TraversalOptions();

  @Override
  public Integer call() throws Exception {
    operations.applyLogging();
    EngineSettings settings = new EngineSettings(PortRange.parse(portRange), interfaces(), attemptTimeout,
        retryInterval, handshakeTimeout, idleTimeout, maxConnections, receiveBuffer, PublicIpProviders.parse(publicIp),
        PeerAddressPolicy.Range.parseList(allowPeerAddresses), new Keepalive(keepaliveInterval, peerTimeout))
        .withTraversal(traversal.toSettings());
    // A signal during the start (the log already says "serving") stops the sidecar once it has started.
    CompletableFuture<Sidecar> started = new CompletableFuture<>();
    ShutdownSignals.install(() -> started.thenAccept(ServeCommand::closeQuietly));
    Sidecar sidecar = Sidecar.start(ApiEndpoint.parse(api), apiSecurity.toSecurity(), settings, credentials(),
        operations.toSidecarOptions());
    started.complete(sidecar);
    // Other ways out (SIGHUP, System.exit) still close the connections, telling peers why.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(sidecar), "punchd-shutdown"));
    sidecar.awaitTermination();
    return 0;
  }

  /** Each connection's identity: from the {@code --identity-key} file (one stable fingerprint) or fresh. */
  Supplier<Credentials> credentials() throws IOException {
    return identityKey == null
        ? TlsCredentials.ephemeral()
        : TlsCredentials.persistent(Identity.loadOrCreate(identityKey));
  }

  private static void closeQuietly(Sidecar sidecar) {
    try {
      sidecar.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<String> interfaces() {
    return Arrays.stream(localInterfaces.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
