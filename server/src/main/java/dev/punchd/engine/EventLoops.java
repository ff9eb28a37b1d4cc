package dev.punchd.engine;

import dev.punchd.transport.RawLink;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's event loops, on Netty's native epoll (the copy shaded into grpc-netty-shaded): they serve the
 * API's channels and carry established RAW connections' bytes ({@link LoopPump}), a connection on the loop of
 * the API connection that streams it, so that its bytes cross no thread between the application's socket and
 * the peer's. Absent where epoll is not (not Linux): the API then runs on gRPC's own loops and connections on
 * their own threads ({@link LinkPump}). Thread-safe.
 */
public final class EventLoops implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLoops.class);
  /** No loops of our own. */
  public static final EventLoops NONE = new EventLoops(null);

  private final EventLoopGroup group; // null: none

  private EventLoops(EventLoopGroup group) {
    this.group = group;
  }

  /** One loop per processor where Netty's native epoll loads, else {@link #NONE}. */
  public static EventLoops start() {
    return start(Runtime.getRuntime().availableProcessors());
  }

  static EventLoops start(int loops) {
    RawLink.channelsUnavailable().ifPresent(why ->
        log.warn("RAW connections keep a reader and a writer thread each, which costs latency: {}", why));
    if (!Epoll.isAvailable()) {
      return NONE;
    }
    return new EventLoops(new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("punchd-loop", true),
        EpollIoHandler.newFactory()));
  }

  /** The loops, for the API's server and for connections; empty without epoll. */
  public Optional<EventLoopGroup> group() {
    return Optional.ofNullable(group);
  }

  /** The loop whose thread {@code thread} is, if it is one of these. */
  Optional<EventLoop> loopOf(Thread thread) {
    if (group != null && thread != null) {
      for (EventExecutor loop : group) {
        if (loop.inEventLoop(thread)) {
          return Optional.of((EventLoop) loop);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Stops the loops; whatever they serve (the API, connections) must have been closed first. Waits at most a
   * second or so. Idempotent.
   */
  @Override
  public void close() {
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }
}
