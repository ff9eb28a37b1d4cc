package dev.punchd.bench.datapath;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The baseline: a TCP socket pair on loopback (TCP_NODELAY, blocking streams), B served by one platform
 * thread that counts or echoes. Thread-safe for one benchmark thread plus B's thread.
 */
final class TcpPath implements DataPath {
  private static final long WAIT_MILLIS = 60_000;

  private final Socket a;
  private final Socket b;
  private final Thread serveB;
  private final byte[] chunk = new byte[CHUNK_BYTES];
  private final Object lock = new Object();
  private long receivedAtB; // guarded by lock
  private long expectedAtB; // benchmark thread only

  private TcpPath(Socket a, Socket b, boolean echo) {
    this.a = a;
    this.b = b;
    new Random(7).nextBytes(chunk);
    this.serveB = Thread.ofPlatform().daemon().name("tcp-path-b").start(echo ? this::echo : this::count);
  }

  static TcpPath open(boolean echo) throws IOException {
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Socket a = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
      Socket b = listener.accept();
      a.setTcpNoDelay(true);
      b.setTcpNoDelay(true);
      return new TcpPath(a, b, echo);
    }
  }

  @Override
  public void transfer(long bytes) throws Exception {
    OutputStream out = a.getOutputStream();
    for (long sent = 0; sent < bytes; sent += CHUNK_BYTES) {
      out.write(chunk, 0, (int) Math.min(CHUNK_BYTES, bytes - sent));
    }
    expectedAtB += bytes;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    synchronized (lock) {
      while (receivedAtB < expectedAtB) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !serveB.isAlive()) {
          throw new TimeoutException("B received " + receivedAtB + " of " + expectedAtB + " bytes");
        }
        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  @Override
  public void pingPong(byte[] message) throws Exception {
    a.getOutputStream().write(message);
    byte[] echoed = a.getInputStream().readNBytes(message.length);
    if (echoed.length != message.length) {
      throw new IOException("echo ended after " + echoed.length + " of " + message.length + " bytes");
    }
  }

  private void count() {
    byte[] buffer = new byte[CHUNK_BYTES];
    try (InputStream in = b.getInputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        synchronized (lock) {
          receivedAtB += n;
          lock.notifyAll();
        }
      }
    } catch (IOException e) {
      // the path was closed
    }
  }

  private void echo() {
    byte[] buffer = new byte[CHUNK_BYTES];
    try (InputStream in = b.getInputStream(); OutputStream out = b.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // the path was closed
    }
  }

  @Override
  public void close() throws Exception {
    a.close();
    b.close();
    serveB.join(5_000);
  }
}
