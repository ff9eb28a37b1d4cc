package dev.punchd.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

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

  @Override
  public int read(byte[] buffer) throws IOException {
    return in.read(buffer);
  }

  @Override
  public void write(byte[] data, int offset, int length) throws IOException {
    out.write(data, offset, length);
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
