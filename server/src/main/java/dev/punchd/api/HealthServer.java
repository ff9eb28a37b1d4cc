package dev.punchd.api;

import dev.punchd.engine.HostPort;
import dev.punchd.observe.ListenFailure;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext gRPC listener that serves {@code grpc.health.v1.Health} and nothing else, backed by the
 * API's {@link HealthStatusManager}, so it reports exactly what the API's own health service reports. It
 * exists for probes that cannot reach the API: Kubernetes gRPC probes dial the pod IP without TLS, while
 * the API stays on a Unix socket or loopback. Thread-safe.
 */
public final class HealthServer implements AutoCloseable {
  private final Server server;
  private final InetSocketAddress requested;

  private HealthServer(Server server, InetSocketAddress requested) {
    this.server = server;
    this.requested = requested;
  }

  /**
   * Starts serving {@code health} on {@code address}.
   *
   * @throws IOException naming the address when it cannot be bound
   */
  public static HealthServer start(InetSocketAddress address, HealthStatusManager health) throws IOException {
    Server server = NettyServerBuilder.forAddress(address)
        .directExecutor() // the health service never blocks
        .addService(health.getHealthService())
        .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new IOException("cannot listen for health checks on " + HostPort.format(address) + ": "
          + ListenFailure.reason(e), e);
    }
    return new HealthServer(server, address);
  }

  /** The address listened on, with the port actually bound (useful with port 0). */
  public InetSocketAddress address() {
    return new InetSocketAddress(requested.getAddress(), server.getPort());
  }

  /** Stops at once: open Watch calls end with UNAVAILABLE (they have already seen NOT_SERVING). */
  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
