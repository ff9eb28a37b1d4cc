package dev.punchd.examples;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext gRPC channel to the sidecar, over TCP or a Unix socket (with its own event loop). Closing
 * cancels any call still running. Thread-safe.
 */
final class ApiChannel implements AutoCloseable {
  private final ManagedChannel channel;
  private final EventLoopGroup unixLoop;

  private ApiChannel(ManagedChannel channel, EventLoopGroup unixLoop) {
    this.channel = channel;
    this.unixLoop = unixLoop;
  }

  /** Creates the channel; it connects lazily, so an unreachable sidecar shows up as UNAVAILABLE on the first call. */
  static ApiChannel open(ApiAddress address) {
    if (!address.isUnix()) {
      return new ApiChannel(NettyChannelBuilder.forAddress(address.host(), address.port()).usePlaintext().build(),
          null);
    }
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(address.socketPath()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(loop)
        .withOption(ChannelOption.SO_KEEPALIVE, null) // a TCP option: netty warns about it on a Unix socket
        .usePlaintext()
        .build();
    return new ApiChannel(channel, loop);
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (unixLoop != null) {
      unixLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }
}
