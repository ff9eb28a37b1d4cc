package dev.punchd.transport;

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
 * A connected socket seen through another {@link Socket} object, for a TLS socket to layer over: every method
 * is the connected socket's except the streams, which the subclass supplies. It cannot connect or bind again
 * and has no channel. As thread-safe as the connected socket and the subclass's streams.
 */
public abstract class DelegatingSocket extends Socket {
  /** The socket every call goes to. */
  protected final Socket connected;

  protected DelegatingSocket(Socket connected) {
    this.connected = connected;
  }

  @Override
  public abstract InputStream getInputStream();

  @Override
  public abstract OutputStream getOutputStream();

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
    return getClass().getSimpleName() + "[" + connected + "]";
  }
}
