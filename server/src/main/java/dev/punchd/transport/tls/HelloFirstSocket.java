package dev.punchd.transport.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * What the TLS client layers its {@code SSLSocket} over: the connected socket, except that the first read
 * consumes and checks the peer's punchd hello, which arrives in front of the peer's TLS records. So the
 * client sends its ClientHello right behind its own hello instead of waiting half a round trip for the
 * peer's (docs/wire-protocol.md, "Where the round trips go"). A failed check fails that read, and with it
 * the TLS handshake, with the hello's own exception as the cause ({@link TlsFailure#classify} finds it);
 * every later read fails the same way. Everything else is the connected socket's.
 *
 * <p>Reads come from one thread at a time (SunJSSE reads under its own lock); the other methods are as
 * thread-safe as the connected socket's.
 */
final class HelloFirstSocket extends Socket {
  /** Reads and checks the peer's hello from the connected socket. */
  interface HelloCheck {
    void run() throws IOException;
  }

  private final Socket connected;
  private final InputStream in;

  HelloFirstSocket(Socket connected, HelloCheck check) throws IOException {
    this.connected = connected;
    this.in = new CheckedInput(connected.getInputStream(), check);
  }

  /** The connected socket's input, behind the hello check. */
  private static final class CheckedInput extends InputStream {
    private final InputStream raw;
    private final HelloCheck check;
    private boolean checked; // read by the reading thread only
    private IOException failure; // the failed check, rethrown by every later read

    CheckedInput(InputStream raw, HelloCheck check) {
      this.raw = raw;
      this.check = check;
    }

    private void checkOnce() throws IOException {
      if (failure != null) {
        throw failure;
      }
      if (!checked) {
        try {
          check.run();
        } catch (IOException e) {
          failure = e;
          throw e;
        }
        checked = true;
      }
    }

    @Override
    public int read() throws IOException {
      checkOnce();
      return raw.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      checkOnce();
      return raw.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return checked ? raw.available() : 0;
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    return connected.getOutputStream();
  }

  @Override
  public void close() throws IOException {
    connected.close();
  }

  @Override
  public boolean isClosed() {
    return connected.isClosed();
  }

  @Override
  public boolean isConnected() {
    return connected.isConnected();
  }

  @Override
  public boolean isBound() {
    return connected.isBound();
  }

  @Override
  public void connect(SocketAddress endpoint, int timeout) throws IOException {
    throw new SocketException("already connected");
  }

  @Override
  public void bind(SocketAddress bindpoint) throws IOException {
    throw new SocketException("already bound");
  }

  @Override
  public SocketChannel getChannel() {
    return null;
  }

  @Override
  public InetAddress getInetAddress() {
    return connected.getInetAddress();
  }

  @Override
  public InetAddress getLocalAddress() {
    return connected.getLocalAddress();
  }

  @Override
  public int getPort() {
    return connected.getPort();
  }

  @Override
  public int getLocalPort() {
    return connected.getLocalPort();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return connected.getRemoteSocketAddress();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return connected.getLocalSocketAddress();
  }

  @Override
  public void shutdownInput() throws IOException {
    connected.shutdownInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    connected.shutdownOutput();
  }

  @Override
  public boolean isInputShutdown() {
    return connected.isInputShutdown();
  }

  @Override
  public boolean isOutputShutdown() {
    return connected.isOutputShutdown();
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    connected.setSoTimeout(timeout);
  }

  @Override
  public int getSoTimeout() throws SocketException {
    return connected.getSoTimeout();
  }

  @Override
  public void setTcpNoDelay(boolean on) throws SocketException {
    connected.setTcpNoDelay(on);
  }

  @Override
  public boolean getTcpNoDelay() throws SocketException {
    return connected.getTcpNoDelay();
  }

  @Override
  public void setSoLinger(boolean on, int linger) throws SocketException {
    connected.setSoLinger(on, linger);
  }

  @Override
  public int getSoLinger() throws SocketException {
    return connected.getSoLinger();
  }

  @Override
  public void setKeepAlive(boolean on) throws SocketException {
    connected.setKeepAlive(on);
  }

  @Override
  public boolean getKeepAlive() throws SocketException {
    return connected.getKeepAlive();
  }

  @Override
  public void setSendBufferSize(int size) throws SocketException {
    connected.setSendBufferSize(size);
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return connected.getSendBufferSize();
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    connected.setReceiveBufferSize(size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return connected.getReceiveBufferSize();
  }

  @Override
  public void setTrafficClass(int tc) throws SocketException {
    connected.setTrafficClass(tc);
  }

  @Override
  public int getTrafficClass() throws SocketException {
    return connected.getTrafficClass();
  }

  @Override
  public void setReuseAddress(boolean on) throws SocketException {
    connected.setReuseAddress(on);
  }

  @Override
  public boolean getReuseAddress() throws SocketException {
    return connected.getReuseAddress();
  }

  @Override
  public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
    connected.setOption(name, value);
    return this;
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws IOException {
    return connected.getOption(name);
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return connected.supportedOptions();
  }

  @Override
  public String toString() {
    return "HelloFirst" + connected;
  }
}
