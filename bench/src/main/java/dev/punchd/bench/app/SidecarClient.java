package dev.punchd.bench.app;

import dev.punchd.v1.HolePunchGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An application's plaintext gRPC channel to one sidecar (TCP or Unix socket) with its stubs. Thread-safe;
 * closing ends every call on it.
 */
public final class SidecarClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final EventLoopGroup ownLoop;
  private final String target;

  private SidecarClient(ManagedChannel channel, EventLoopGroup ownLoop, String target) {
    this.channel = channel;
    this.ownLoop = ownLoop;
    this.target = target;
  }

  public static SidecarClient tcp(String host, int port) {
    return new SidecarClient(tcpChannel(host, port).build(), null, host + ":" + port);
  }

  /**
   * As {@link #tcp}, with every call's callbacks run on gRPC's transport thread (directExecutor) rather than
   * handed to an executor's thread: for observers that never block, as a latency-minded Java application runs
   * them. The data-path rows use it, so that the client's own hand-offs are not counted as the sidecar's.
   */
  public static SidecarClient tcpDirect(String host, int port) {
    return new SidecarClient(tcpChannel(host, port).directExecutor().build(), null, host + ":" + port);
  }

  private static NettyChannelBuilder tcpChannel(String host, int port) {
    return NettyChannelBuilder.forAddress(host, port)
        .usePlaintext()
        .maxInboundMessageSize(4 << 20);
  }

  public static SidecarClient unix(Path socket) {
    EpollEventLoopGroup loop = new EpollEventLoopGroup(1);
    ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(loop)
        .withOption(ChannelOption.SO_KEEPALIVE, null) // a TCP option: unset, so netty does not warn
        .usePlaintext()
        .maxInboundMessageSize(4 << 20)
        .build();
    return new SidecarClient(channel, loop, "unix:" + socket);
  }

  public HolePunchGrpc.HolePunchBlockingStub blocking() {
    return HolePunchGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  public HolePunchGrpc.HolePunchStub async() {
    return HolePunchGrpc.newStub(channel);
  }

  /** One health check that fails fast (no waiting for the connection): true when the sidecar is SERVING. */
  public boolean isServing(Duration timeout) {
    channel.resetConnectBackoff();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.getDefaultInstance())
          .getStatus() == ServingStatus.SERVING;
    } catch (io.grpc.StatusRuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    if (ownLoop != null) {
      ownLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return target;
  }
}
