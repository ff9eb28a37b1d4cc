package dev.punchd.engine;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.punchd.transport.Abortable;
import dev.punchd.transport.Link;
import dev.punchd.transport.PeerCloseReason;
import dev.punchd.transport.RawLink;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelException;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves an established RAW connection's bytes on an event loop ({@link EventLoops}) instead of a reader and a
 * writer thread: the link's socket becomes a Netty epoll channel, read while the {@link DataPipe}'s inbound
 * queue has room (reading stops when it is full, so TCP slows the peer, and resumes when the Stream takes
 * bytes), and written one batch at a time as the application's bytes arrive. The channel lives on the loop of
 * the thread that attached the connection's Stream (gRPC's transport thread for the API connection), moving
 * there when a Stream attaches from another loop, so a message crosses no thread between the application's
 * socket and the peer's. Memory is what {@link DataPipe#heapBound} says: one read of at most
 * {@link DataPipe#MAX_READ} beyond the receive capacity, one batch being written. The owner hears of ends on
 * a virtual thread of its own (it may close relays, which waits for I/O); sinks are told on the loop (they
 * never wait).
 *
 * <p>Thread-safe: the handler and the state below run on the channel's current loop ({@link #onLoop});
 * {@link #outboundWaiting}, {@link #inboundRoomMade} and {@link #streamAttached} may be called from any thread
 * and only schedule work there.
 */
final class LoopPump extends ChannelInboundHandlerAdapter implements Abortable {
  private static final Logger log = LoggerFactory.getLogger(LoopPump.class);
  /** Read sizes: an idle connection starts small, bulk grows to {@link DataPipe#MAX_READ}. */
  private static final int MIN_READ = 64;

  private final String connectionId;
  private final DataPipe pipe;
  private final DataPipe.Owner owner;
  private final EngineMetrics metrics;
  private final EventLoops loops;
  private final EpollSocketChannel channel;
  private final AtomicBoolean writeScheduled = new AtomicBoolean();
  private boolean moving; // loop only: leaving one loop for another; nothing is written or resumed meanwhile
  private boolean writing; // loop only: a batch is in the channel, not yet written to the socket
  private boolean outputDone; // loop only: the FIN was asked for
  private boolean paused; // loop only: reading stopped because the inbound queue is full
  private StreamSink toTell; // loop only: the sink to tell once this read burst is over

  private LoopPump(String connectionId, DataPipe pipe, DataPipe.Owner owner, EngineMetrics metrics,
      EventLoops loops, EpollSocketChannel channel) {
    this.connectionId = connectionId;
    this.pipe = pipe;
    this.owner = owner;
    this.metrics = metrics;
    this.loops = loops;
    this.channel = channel;
  }

  /**
   * Starts carrying {@code link}'s bytes on one of {@code loops}; empty, with the link untouched, where that
   * cannot be done (no loops, a link that is not RAW, a socket that cannot move).
   */
  static Optional<Abortable> start(String connectionId, DataPipe pipe, DataPipe.Owner owner, EngineMetrics metrics,
      Link link, EventLoops loops) {
    Optional<EventLoopGroup> group = loops.group();
    if (group.isEmpty() || !(link instanceof RawLink raw)) {
      return Optional.empty();
    }
    Optional<EpollSocketChannel> adopted;
    try {
      adopted = raw.moveToChannel();
    } catch (IOException e) {
      log.debug("connection {}: stays on its own threads: {}", connectionId, e.toString());
      return Optional.empty();
    }
    if (adopted.isEmpty()) {
      return Optional.empty();
    }
    EpollSocketChannel channel = adopted.get();
    channel.config().setAllowHalfClosure(true); // the peer's FIN ends its direction only
    channel.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(MIN_READ, LinkPump.FIRST_READ,
        DataPipe.MAX_READ));
    LoopPump pump = new LoopPump(connectionId, pipe, owner, metrics, loops, channel);
    channel.pipeline().addLast(pump);
    EventLoop first = pipe.streamThread().flatMap(loops::loopOf).orElseGet(group.get()::next);
    first.register(channel).addListener(registered -> { // the channel's loop is set once this returns
      if (!registered.isSuccess()) {
        pump.broken(registered.cause());
      }
    });
    pipe.wakeOnLoop(pump::outboundWaiting, pump::inboundRoomMade, pump::streamAttached);
    pipe.streamThread().flatMap(loops::loopOf).ifPresent(pump::follow); // a Stream that attached meanwhile
    pump.outboundWaiting(); // bytes a Stream sent before Established
    return Optional.of(pump);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buffer = (ByteBuf) msg;
    byte[] bytes = new byte[buffer.readableBytes()];
    try {
      buffer.readBytes(bytes);
    } finally {
      buffer.release();
    }
    metrics.bytesReceived(bytes.length);
    StreamSink sink = pipe.received(UnsafeByteOperations.unsafeWrap(bytes));
    if (sink != null) {
      toTell = sink;
    }
    if (!paused && pipe.inboundFull()) {
      paused = true;
      channel.config().setAutoRead(false); // ends this read burst too
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    tellSink();
  }

  private void tellSink() {
    StreamSink sink = toTell;
    toTell = null;
    if (sink != null) {
      sink.onReceivable();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      tellSink();
      toTell = pipe.peerFinishedArrived();
      tellSink();
      offLoop(owner::inputFinished);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    broken(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    tellSink();
    broken(new IOException("the connection closed")); // ignored when the owner closed it
  }

  private void broken(Throwable cause) {
    IOException error = cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
    log.debug("connection {}: broken: {}", connectionId, error.toString());
    offLoop(() -> owner.broken(error));
  }

  private void offLoop(Runnable toOwner) {
    Thread.ofVirtual().name("pipe-end-" + connectionId).start(toOwner);
  }

  /**
   * Runs {@code task} on the channel's loop, the one it is registered with when the task runs: a task queued
   * on a loop the channel has left follows it to the new one.
   */
  private void onLoop(Runnable task) {
    EventLoop loop = channel.eventLoop();
    loop.execute(() -> {
      if (channel.eventLoop() == loop) {
        task.run();
      } else {
        onLoop(task);
      }
    });
  }

  /** Schedules a write on the loop; does nothing when one is scheduled already. Any thread. */
  private void outboundWaiting() {
    if (writeScheduled.compareAndSet(false, true)) {
      onLoop(() -> {
        writeScheduled.set(false);
        writeNext();
      });
    }
  }

  /** Reads again once the Stream has taken enough. Any thread. */
  private void inboundRoomMade() {
    onLoop(this::resumeIfRoom);
  }

  private void resumeIfRoom() {
    if (paused && !moving && !pipe.inboundFull()) {
      paused = false;
      channel.config().setAutoRead(true);
    }
  }

  /** Follows the Stream that attached on this thread to its loop, if it is one of ours. Any thread. */
  private void streamAttached() {
    loops.loopOf(Thread.currentThread()).ifPresent(this::follow);
  }

  private void follow(EventLoop target) {
    onLoop(() -> moveTo(target));
  }

  /**
   * Re-registers the channel with {@code target}. Not while a batch is being written (its completion belongs
   * to this loop; the connection then stays where it is): only reading is in flight, and that resumes on the
   * new loop by itself.
   */
  private void moveTo(EventLoop target) {
    if (moving || writing || channel.eventLoop() == target || !channel.isRegistered()) {
      return;
    }
    moving = true;
    channel.deregister().addListener((ChannelFuture left) -> {
      if (!left.isSuccess()) {
        moving = false;
        broken(left.cause());
        return;
      }
      target.register(channel).addListener((ChannelFuture arrived) -> {
        moving = false;
        if (!arrived.isSuccess()) {
          broken(arrived.cause());
          return;
        }
        resumeIfRoom();
        writeNext();
      });
    });
  }

  private void writeNext() {
    if (writing || moving || outputDone) {
      return;
    }
    ByteString next = pipe.takeToWrite();
    if (next == null) {
      return;
    }
    if (next == DataPipe.FINISH) {
      outputDone = true;
      channel.shutdownOutput().addListener((ChannelFuture done) -> {
        if (done.isSuccess()) {
          offLoop(owner::outputFinished);
        } else {
          broken(done.cause());
        }
      });
      return;
    }
    writing = true;
    int size = next.size();
    ByteBuf bytes = Unpooled.wrappedBuffer(next.asReadOnlyByteBufferList().toArray(new ByteBuffer[0]));
    channel.writeAndFlush(bytes).addListener((ChannelFuture done) -> {
      writing = false;
      if (!done.isSuccess()) {
        broken(done.cause());
        return;
      }
      metrics.bytesSent(size);
      StreamSink sink = pipe.written();
      if (sink != null) {
        sink.onSent();
      }
      writeNext();
    });
  }

  /** Plain TCP has no way to say why: a reset, as {@link RawLink#abort}. */
  @Override
  public void abort(PeerCloseReason reason, String message) {
    reset();
  }

  @Override
  public void reset() {
    try {
      channel.config().setSoLinger(0);
    } catch (ChannelException ignored) {
      // already closed: closing does the rest
    }
    close();
  }

  @Override
  public void close() {
    channel.close();
  }
}
