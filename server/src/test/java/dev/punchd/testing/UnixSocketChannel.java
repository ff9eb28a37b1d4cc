package dev.punchd.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext gRPC channel to an API on a Unix domain socket, with its own one-thread event loop; closing
 * shuts down both. Thread-safe.
 */
public final class UnixSocketChannel implements AutoCloseable {
  private final EventLoopGroup loop;
  private final ManagedChannel channel;

  private UnixSocketChannel(EventLoopGroup loop, ManagedChannel channel) {
    this.loop = loop;
    this.channel = channel;
  }

  /** A channel to {@code socket} (connects lazily, at the first call). */
  public static UnixSocketChannel open(Path socket) {
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    return new UnixSocketChannel(loop, builder(socket, loop).build());
  }

  /** A plaintext channel builder for {@code socket} on {@code loop}, which the caller shuts down. */
  public static NettyChannelBuilder builder(Path socket, EventLoopGroup loop) {
    return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(loop)
        .withOption(ChannelOption.SO_KEEPALIVE, null) // TCP only: unset, so netty does not warn
        .usePlaintext()
        .maxInboundMessageSize(4 << 20);
  }

  public ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }
}
