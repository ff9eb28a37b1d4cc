package dev.punchd.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a man in the middle on loopback sees: relays every connection accepted on a loopback port to a
 * target, records all bytes per direction, can flip one byte in flight, and can turn into a black hole
 * (what a NAT that lost its mapping is to both ends). Thread-safe.
 */
public final class RecordingProxy implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MILLIS = 5000;

  /** Which way bytes travel through the proxy. */
  public enum Direction {
    /** From whoever dialled the proxy to the target. */
    TO_TARGET,
    /** From the target back to the dialler. */
    FROM_TARGET
  }

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final Map<Direction, ByteArrayOutputStream> recorded = new EnumMap<>(Direction.class);
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean flipped = new AtomicBoolean();
  private volatile Direction flipDirection;
  private volatile long flipOffset = -1;
  private volatile boolean blackHole;
  private final Set<Socket> holed = ConcurrentHashMap.newKeySet();
  private volatile boolean refusing;

  private RecordingProxy(ServerSocket listener, InetSocketAddress target) {
    this.listener = listener;
    this.target = target;
    for (Direction direction : Direction.values()) {
      recorded.put(direction, new ByteArrayOutputStream());
    }
  }

  /** Listens on an OS-chosen loopback port and relays each connection to {@code target}. */
  public static RecordingProxy start(InetSocketAddress target) throws IOException {
    RecordingProxy proxy = new RecordingProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target);
    Thread.ofVirtual().name("proxy-accept").start(proxy::acceptLoop);
    return proxy;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /**
   * Flips (XOR 0xff) the byte at {@code offset} of the first connection whose {@code direction} gets
   * that far. Call before the traffic starts.
   */
  public void flipByteAt(Direction direction, long offset) {
    this.flipDirection = direction;
    this.flipOffset = offset;
  }

  /**
   * From now on drops everything in both directions without closing anything: neither end hears from the
   * other again, as behind a NAT whose mapping is gone.
   */
  public void blackHole() {
    blackHole = true;
  }

  /** While true, every new connection is reset at once, as by a firewall that blocks the path. */
  public void refuseNew(boolean refuse) {
    refusing = refuse;
  }

  /**
   * Drops everything on the connections relayed so far, without closing them (their mappings are gone, as
   * {@link #blackHole()}); connections made afterwards are relayed as before.
   */
  public void blackHoleExisting() {
    holed.addAll(sockets);
  }

  /**
   * Resets (RST) every connection relayed so far, as a NAT that rebooted would; connections made afterwards
   * are relayed as before.
   */
  public void resetAll() {
    for (Socket socket : sockets) {
      try {
        socket.setSoLinger(true, 0);
      } catch (IOException ignored) {
        // already closed
      }
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /** True once the byte set with {@link #flipByteAt} has been flipped and passed on. */
  public boolean hasFlipped() {
    return flipped.get();
  }

  /** Everything relayed in {@code direction} so far, over all connections, as relayed (after any flip). */
  public byte[] recorded(Direction direction) {
    ByteArrayOutputStream bytes = recorded.get(direction);
    synchronized (bytes) {
      return bytes.toByteArray();
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket dialer = listener.accept();
        if (refusing) {
          dialer.setSoLinger(true, 0);
          closeQuietly(dialer);
          continue;
        }
        sockets.add(dialer);
        Socket upstream = new Socket();
        sockets.add(upstream);
        try {
          upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
          closeQuietly(dialer); // as the target's refusal would: the dialler may try again at once
          throw e;
        }
        Thread.ofVirtual().name("proxy-to-target").start(() -> relay(dialer, upstream, Direction.TO_TARGET));
        Thread.ofVirtual().name("proxy-from-target").start(() -> relay(upstream, dialer, Direction.FROM_TARGET));
      } catch (IOException e) {
        // the listener closed, or the target refused this one connection; the dialler sees it closed
      }
    }
  }

  private void relay(Socket from, Socket to, Direction direction) {
    byte[] buffer = new byte[64 * 1024];
    long offset = 0;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        if (blackHole || holed.contains(from)) {
          continue;
        }
        maybeFlip(direction, buffer, offset, n);
        ByteArrayOutputStream record = recorded.get(direction);
        synchronized (record) {
          record.write(buffer, 0, n);
        }
        out.write(buffer, 0, n);
        offset += n;
      }
      if (!blackHole && !holed.contains(from)) {
        to.shutdownOutput();
      }
    } catch (IOException e) {
      if (!blackHole && !holed.contains(from)) { // a black hole passes on no end either: open until close()
        closeQuietly(from);
        closeQuietly(to);
      }
    }
  }

  private void maybeFlip(Direction direction, byte[] buffer, long offset, int n) {
    long at = flipOffset - offset;
    if (direction == flipDirection && at >= 0 && at < n && flipped.compareAndSet(false, true)) {
      buffer[(int) at] ^= (byte) 0xff;
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // tearing down a relayed connection; nothing else to do
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(RecordingProxy::closeQuietly);
  }
}
