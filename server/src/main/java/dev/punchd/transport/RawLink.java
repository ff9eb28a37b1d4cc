package dev.punchd.transport;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;

/** Plain TCP, bytes as they are: what a peer doing bare TCP simultaneous open expects. Thread-safe as {@link Link}. */
public final class RawLink extends SocketLink {
  private final InputStream in;
  /** Largest write gathered from smaller pieces. */
  private static final int GATHER_BYTES = 64 * 1024;
  private final OutputStream out;
  private StreamOutput output; // writer thread only

  public RawLink(Socket socket) throws IOException {
    super(socket);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Large reads: plain TCP hands over whatever the kernel has. */
  @Override
  public int readSize() {
    return 64 * 1024;
  }

  /**
   * The kernel's TCP keepalive: the first probe after {@code interval} idle, then probes spaced so that the
   * connection fails once the peer answered none for about {@code peerTimeout} (plain TCP has no frame to
   * ping with; a RAW peer may legitimately stay silent for hours, so reads never time out).
   */
  @Override
  public void keepAlive(Keepalive keepalive) throws IOException {
    int idle = (int) Math.max(1, keepalive.interval().toSeconds());
    int probeInterval = Math.max(1, idle / 3);
    int probes = (int) Math.max(1, (keepalive.peerTimeout().toSeconds() - idle) / probeInterval);
    socket.setKeepAlive(true);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, idle);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, probeInterval);
    socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, probes);
  }

  /** Nothing follows a TCP FIN that a read could see. */
  @Override
  public void awaitPeerClose() {}

  /** Nothing: TCP keepalive probes carry no payload, so the kernel sends them. */
  @Override
  public void ping() {}

  @Override
  public int read(byte[] buffer) throws IOException {
    return in.read(buffer);
  }

  /**
   * Straight from the chunk's arrays to the socket ({@code ByteString.writeTo(OutputStream)} would copy a
   * flat chunk first, lest the stream keep the array; a socket stream does not). Pieces of 64 KiB and more
   * go to the socket as they are; smaller ones (a batch of small messages) are gathered into one write.
   */
  @Override
  public void write(ByteString data) throws IOException {
    if (output == null) {
      output = new StreamOutput(new BufferedOutputStream(out, GATHER_BYTES)); // the first write: idle links have none
    }
    UnsafeByteOperations.unsafeWriteTo(data, output);
    output.out.flush();
  }

  /**
   * Moves the connection into a Netty epoll channel, not registered with an event loop yet, so that a loop
   * rather than this link's threads carries its bytes. Call before any read or write, after
   * {@link #keepAlive} (socket options stay with the descriptor). Empty, and this link unchanged, when the
   * socket is not a {@link SocketChannel}'s (only a channel's descriptor may outlive its JDK object: a plain
   * socket's cleaner would close it) or Netty's native epoll is missing. Once moved, the channel owns the
   * connection: this link's close and abort do nothing, and it must not read or write.
   *
   * @throws IOException when the descriptor cannot be reached or made non-blocking (the link is unchanged)
   */
  public Optional<EpollSocketChannel> moveToChannel() throws IOException {
    SocketChannel channel = socket.getChannel();
    if (channel == null || channelsUnavailable().isPresent()) {
      return Optional.empty();
    }
    int descriptor = SocketDescriptors.of(channel);
    channel.configureBlocking(false); // an event loop reads until EAGAIN
    handOver();
    return Optional.of(new EpollSocketChannel(descriptor));
  }

  /** Why no RAW link of this JVM can {@link #moveToChannel}; empty when they can (those made from channels). */
  public static Optional<String> channelsUnavailable() {
    if (!Epoll.isAvailable()) {
      return Optional.of("Netty's native epoll did not load (" + Epoll.unavailabilityCause() + ")");
    }
    return Optional.ofNullable(SocketDescriptors.unreachable());
  }

  @Override
  public void finishOutput() throws IOException {
    socket.shutdownOutput();
  }

  /**
   * Plain TCP has no way to say why: the connection is reset (RST), so that the peer sees an abort rather
   * than a FIN it would take for a clean end of the stream.
   */
  @Override
  public void abort(PeerCloseReason reason, String message) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // closing normally is the next best thing
    }
    close();
  }


  /** Hands a ByteString's own arrays to a stream that keeps none of them. */
  private static final class StreamOutput extends ByteOutput {
    private final OutputStream out;

    StreamOutput(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(byte value) throws IOException {
      out.write(value);
    }

    @Override
    public void write(byte[] value, int offset, int length) throws IOException {
      out.write(value, offset, length);
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) throws IOException {
      out.write(value, offset, length);
    }

    @Override
    public void write(ByteBuffer value) throws IOException {
      if (value.hasArray()) {
        out.write(value.array(), value.arrayOffset() + value.position(), value.remaining());
      } else {
        byte[] copy = new byte[value.remaining()];
        value.duplicate().get(copy);
        out.write(copy);
      }
    }

    @Override
    public void writeLazy(ByteBuffer value) throws IOException {
      write(value);
    }
  }
}
