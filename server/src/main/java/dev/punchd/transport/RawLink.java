package dev.punchd.transport;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import jdk.net.ExtendedSocketOptions;

/** Plain TCP, bytes as they are: what a peer doing bare TCP simultaneous open expects. Thread-safe as {@link Link}. */
public final class RawLink extends SocketLink {
  private final InputStream in;
  private final OutputStream out;

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

  /** Straight from the chunk's array to the socket. */
  @Override
  public void write(ByteString data) throws IOException {
    data.writeTo(out);
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

}
