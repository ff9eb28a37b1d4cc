package dev.punchd.engine;

import com.google.protobuf.ByteString;
import dev.punchd.transport.Keepalive;
import dev.punchd.transport.Link;
import dev.punchd.transport.PeerCloseReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A link whose peer sends {@code frameSize}-byte pieces back to back forever and takes whatever is written;
 * counts reads and pings. Thread-safe.
 */
final class ScriptedLink implements Link {
  private final int frameSize;
  final AtomicLong reads = new AtomicLong();
  final AtomicLong pings = new AtomicLong();
  private volatile boolean closed;

  ScriptedLink(int frameSize) {
    this.frameSize = frameSize;
  }

  @Override
  public int readSize() {
    return 16 * 1024;
  }

  @Override
  public int read(byte[] buffer) throws IOException {
    if (closed) {
      throw new IOException("closed");
    }
    reads.incrementAndGet();
    return Math.min(frameSize, buffer.length);
  }

  @Override
  public void awaitPeerClose() {}

  @Override
  public void keepAlive(Keepalive keepalive) {}

  @Override
  public void ping() {
    pings.incrementAndGet();
  }

  @Override
  public void write(ByteString data) {}

  @Override
  public void finishOutput() {}

  @Override
  public void abort(PeerCloseReason reason, String message) {
    close();
  }

  @Override
  public InetSocketAddress localAddress() {
    return new InetSocketAddress(0);
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return new InetSocketAddress(0);
  }

  @Override
  public void close() {
    closed = true;
  }
}
