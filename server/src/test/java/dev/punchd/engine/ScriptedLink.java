package dev.punchd.engine;

import dev.punchd.testing.InertLink;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A link whose peer sends {@code frameSize}-byte pieces back to back forever and takes whatever is written;
 * counts reads and pings. Thread-safe.
 */
final class ScriptedLink extends InertLink {
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
  public void ping() {
    pings.incrementAndGet();
  }

  @Override
  public void close() {
    closed = true;
  }
}
