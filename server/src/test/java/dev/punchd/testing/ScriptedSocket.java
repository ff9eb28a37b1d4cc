package dev.punchd.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A socket without a network: reads return the scripted bytes, then end of stream; writes are collected.
 * Socket options are remembered, not applied. For feeding parsers of peer bytes (fuzzing) without file
 * descriptors. Not thread-safe.
 */
public final class ScriptedSocket extends Socket {
  private final InputStream in;
  private final List<byte[]> writes = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream() {
    @Override
    public void write(byte[] b, int off, int len) {
      writes.add(Arrays.copyOfRange(b, off, off + len));
      super.write(b, off, len);
    }
  };
  private int soTimeout;
  private int soLinger = -1;
  private boolean closed;

  public ScriptedSocket(byte[] peerBytes) {
    this.in = new ByteArrayInputStream(peerBytes);
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  @Override
  public OutputStream getOutputStream() {
    return out;
  }

  /** Each write call's bytes, in order. */
  public List<byte[]> writes() {
    return writes;
  }

  /** What the code under test wrote. */
  public byte[] written() {
    return out.toByteArray();
  }

  @Override
  public void setSoTimeout(int timeout) {
    soTimeout = timeout;
  }

  @Override
  public int getSoTimeout() {
    return soTimeout;
  }

  @Override
  public void setSoLinger(boolean on, int linger) {
    soLinger = on ? linger : -1;
  }

  @Override
  public int getSoLinger() {
    return soLinger;
  }

  @Override
  public void setTcpNoDelay(boolean on) {
    // nothing to apply
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }
}
