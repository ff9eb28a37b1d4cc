package dev.punchd.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Plain TCP, bytes as they are: what a peer doing bare TCP simultaneous open expects. Thread-safe as {@link Link}. */
public final class RawLink implements Link {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawLink(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
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

  @Override
  public void abort(PeerCloseReason reason, String message) {
    close();
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) socket.getRemoteSocketAddress();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do about a failing close
    }
  }
}
