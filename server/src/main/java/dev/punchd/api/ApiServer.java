package dev.punchd.api;

import dev.punchd.engine.EventLoops;
import dev.punchd.observe.ListenFailure;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server of the API: the given services plus health and reflection, on TCP or on a Unix socket
 * (placed by {@link UnixSocketPath}: owner-only from the start, never taking a path someone serves on;
 * removed on close), in plaintext only where {@link ApiSecurity} allows it. It runs on the sidecar's
 * {@link EventLoops}, which the caller closes after it, so that a Stream call and its connection share a loop.
 * Lifecycle only: the RPC logic lives in the services.
 * Thread-safe.
 */
public final class ApiServer implements AutoCloseable {
  /** Largest request message: a full Stream chunk plus room for the connection id. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = dev.punchd.engine.EngineSettings.MAX_MESSAGE_BYTES + 4096;

  private final ApiEndpoint endpoint;
  private final Server server;
  private final HealthStatusManager health;
  private final ExecutorService executor;

  private ApiServer(ApiEndpoint endpoint, Server server, HealthStatusManager health, ExecutorService executor) {
    this.endpoint = endpoint;
    this.server = server;
    this.health = health;
    this.executor = executor;
  }

  /**
   * Starts serving; the health service reports SERVING once this returns.
   *
   * @throws IllegalArgumentException when {@code security} does not allow plaintext on {@code endpoint}
   */
  public static ApiServer start(ApiEndpoint endpoint, ApiSecurity security, List<BindableService> services,
      EventLoops loops) throws IOException {
    Optional<SslContext> tls = security.serverContextFor(endpoint);
    NettyServerBuilder builder;
    UnixSocketPath unixPath = null;
    if (endpoint.isUnix()) {
      EventLoopGroup group = loops.group().orElseThrow(() -> new IOException("cannot serve the API on " + endpoint
          + ": a Unix socket needs Netty's native epoll, which did not load (" + Epoll.unavailabilityCause() + ")"));
      unixPath = UnixSocketPath.claim(endpoint.unixSocket());
      builder = NettyServerBuilder.forAddress(new DomainSocketAddress(unixPath.bindPath().toString()))
          .channelType(EpollServerDomainSocketChannel.class)
          .bossEventLoopGroup(group)
          .workerEventLoopGroup(group)
          .withChildOption(ChannelOption.SO_KEEPALIVE, null); // a TCP option: meaningless on a Unix socket
    } else {
      builder = NettyServerBuilder.forAddress(endpoint.tcp());
      Optional<EventLoopGroup> group = loops.group();
      if (group.isPresent()) { // else gRPC's own loops
        builder.channelType(EpollServerSocketChannel.class)
            .bossEventLoopGroup(group.get())
            .workerEventLoopGroup(group.get());
      }
    }
    tls.ifPresent(builder::sslContext);
    HealthStatusManager health = new HealthStatusManager();
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    builder.executor(executor)
        .callExecutor(new StreamCallExecutor())
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(reflectionV1Alpha());
    services.forEach(service -> builder.addService(StreamRequestMarshaller.install(service.bindService())));
    Server server = null;
    try {
      server = builder.build().start();
      if (unixPath != null) {
        unixPath.publish();
      }
    } catch (IOException e) {
      if (server != null) {
        server.shutdownNow();
      }
      executor.shutdownNow();
      if (unixPath != null) {
        unixPath.discard();
      }
      throw new IOException("cannot listen for the API on " + endpoint + ": " + ListenFailure.reason(e), e);
    }
    return new ApiServer(endpoint, server, health, executor);
  }

  public ApiEndpoint endpoint() {
    return endpoint;
  }

  /** The TCP port actually bound (useful with port 0); -1 for a Unix socket. */
  public int port() {
    return endpoint.isUnix() ? -1 : server.getPort();
  }

  public HealthStatusManager health() {
    return health;
  }

  /** Reports NOT_SERVING to health checks (first step of a graceful shutdown). */
  public void markNotServing() {
    health.enterTerminalState();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, gives running calls a few seconds, then cancels them. Idempotent. */
  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    executor.shutdownNow();
    if (endpoint.isUnix()) {
      try {
        Files.deleteIfExists(endpoint.unixSocket());
      } catch (IOException ignored) {
        // a stale socket file is removed at the next start anyway
      }
    }
  }

  /** Reflection v1alpha, deprecated by grpc-java but still the only version older grpcurl and tools speak. */
  @SuppressWarnings("deprecation")
  private static BindableService reflectionV1Alpha() {
    return ProtoReflectionService.newInstance();
  }
}
