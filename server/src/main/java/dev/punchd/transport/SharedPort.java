package dev.punchd.transport;

import dev.punchd.engine.PortRange;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One local TCP port shared by a listener and any number of dialers (SO_REUSEADDR + SO_REUSEPORT), so the
 * NAT mapping that outbound SYNs create is the one the peer is told about. {@link #close()} closes the
 * listener and aborts every dial in flight. Every socket it makes, dialled or accepted, is a
 * {@link SocketChannel}'s, so that an established one can move its descriptor to an event loop
 * ({@link RawLink#moveToChannel}): unlike a plain {@code Socket}, a channel has no cleaner that would close
 * the descriptor once the JDK object is dropped. Thread-safe.
 */
public final class SharedPort implements Closeable {
  private static final int BACKLOG = 16;
  private static final int MAX_BIND_TRIES = 64;
  /** Ports of a configured range tried, walking from a random start, before giving up. */
  private static final int MAX_BIND_TRIES_IN_RANGE = 4096;
  /** Ports this process holds, so two connections of one sidecar never share a port. */
  private static final Set<Integer> HELD = ConcurrentHashMap.newKeySet();

  private final int port;
  private volatile ServerSocket listener;
  private final Set<Socket> dialing = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private boolean released; // guarded by this

  private SharedPort(int port, ServerSocket listener) {
    this.port = port;
    this.listener = listener;
  }

  /**
   * Binds a listener on a free port of the range, walking it from a random start (any free port for
   * {@link PortRange#ANY}).
   *
   * @throws BindException when no port of the range is free
   */
  public static SharedPort bind(PortRange range) throws IOException {
    int tries = range.isAny() ? MAX_BIND_TRIES : Math.min(MAX_BIND_TRIES_IN_RANGE, range.size());
    int offset = range.isAny() ? 0 : ThreadLocalRandom.current().nextInt(range.size());
    for (int i = 0; i < tries; i++) {
      int candidate = range.isAny() ? 0 : range.first() + (offset + i) % range.size();
      Integer free = probeFree(candidate);
      if (free == null || !HELD.add(free)) {
        continue;
      }
      try {
        return new SharedPort(free, listen(free));
      } catch (IOException e) {
        HELD.remove(free);
      }
    }
    throw new BindException("no free port in range " + range + " after " + tries + " tries");
  }

  /**
   * Finds out whether nobody (in any process) holds the port, by binding it exclusively for a moment. The
   * shared sockets are bound right after; a port that another process takes in between is then shared
   * with it, which the small window makes unlikely and the handshake makes harmless.
   */
  private static Integer probeFree(int candidate) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(candidate), 1);
      return probe.getLocalPort();
    } catch (IOException e) {
      return null;
    }
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket socket = ServerSocketChannel.open().socket(); // so accepted sockets have a channel too
    try {
      share(socket);
      socket.bind(new InetSocketAddress(port), BACKLOG);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static void share(ServerSocket socket) throws IOException {
    socket.setReuseAddress(true);
    socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
  }

  public int port() {
    return port;
  }

  /** Waits for the next inbound connection (across {@link #relisten()}); fails once the port is closed. */
  public Socket accept() throws IOException {
    while (true) {
      ServerSocket current = listener;
      try {
        return current.accept();
      } catch (IOException e) {
        if (closed || current == listener) {
          throw e;
        }
      }
    }
  }

  /**
   * Replaces the listener with a new one on the same port, discarding the old one's half-open and not yet
   * accepted connections (a half-open one holds its 4-tuple, so dials on that tuple fail with
   * EADDRNOTAVAIL until it is gone). A failure to listen again is reported by the next {@link #accept()}.
   */
  public synchronized void relisten() {
    if (closed) {
      return;
    }
    ServerSocket old = listener;
    try {
      listener = listen(port);
    } catch (IOException e) {
      return; // keep the old listener: punching goes on with what it has
    }
    try {
      old.close();
    } catch (IOException ignored) {
      // the old listener is discarded either way
    }
  }

  /**
   * Connects to {@code peer} from this port, waiting at most {@code timeoutMillis} for the peer's answer.
   * A connection may come from the peer's SYN crossing ours (TCP simultaneous open).
   */
  public Socket dial(InetSocketAddress peer, int timeoutMillis) throws IOException {
    return dial(prepareDial(), peer, timeoutMillis);
  }

  /**
   * A socket bound to this port, not connected yet, for {@link #dial(Socket, InetSocketAddress, int)}: binding
   * ahead lets a dial follow the close of another on the same 4-tuple within microseconds. Closed by
   * {@link #stopPunching()} until it is dialled; the caller closes it if it is never dialled.
   */
  public Socket prepareDial() throws IOException {
    Socket socket = SocketChannel.open().socket();
    dialing.add(socket);
    try {
      if (closed) {
        throw new IOException("port " + port + " is closed");
      }
      socket.setReuseAddress(true);
      socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      socket.bind(new InetSocketAddress(port));
      return socket;
    } catch (IOException e) {
      dialing.remove(socket);
      socket.close();
      throw e;
    }
  }

  /** Connects a socket of {@link #prepareDial()} to {@code peer} as {@link #dial(InetSocketAddress, int)} does. */
  public Socket dial(Socket prepared, InetSocketAddress peer, int timeoutMillis) throws IOException {
    try {
      prepared.connect(peer, timeoutMillis);
      return prepared;
    } catch (IOException e) {
      prepared.close();
      throw e;
    } finally {
      dialing.remove(prepared);
    }
  }

  /**
   * Connects {@code prepared} to {@code peer} as {@link #dial(Socket, InetSocketAddress, int)} does, in place of
   * the held opener dial {@code replaced}: that one is closed only right before this one's SYN leaves, so no
   * moment passes without a dial in SYN-SENT on the tuple; if the peer's SYN completed it since its hold
   * ended, it is the connection and {@code prepared} is closed unused.
   */
  public Socket dial(Socket prepared, InetSocketAddress peer, int timeoutMillis, OpenerDial replaced)
      throws IOException {
    Optional<Socket> completed = replaced.finishOrClose();
    if (completed.isPresent()) {
      dialing.remove(prepared);
      prepared.close();
      return completed.get();
    }
    return dial(prepared, peer, timeoutMillis);
  }

  /**
   * Dials {@code peer} from this port with a {@link MappingOpener} SYN and waits at most {@code waitMillis} for
   * the peer's SYN to complete it (simultaneous open). A dial not completed by then stays in SYN-SENT, held by
   * the returned {@link OpenerDial} until the next dial replaces it or it is closed.
   *
   * @throws java.net.ConnectException when a RST refused it
   */
  public OpenerDial dialOpener(InetSocketAddress peer, MappingOpener opener, int waitMillis) throws IOException {
    SocketChannel channel = SocketChannel.open();
    Socket socket = channel.socket();
    dialing.add(socket);
    boolean ok = false;
    try (Selector selector = Selector.open()) {
      if (closed) {
        throw new IOException("port " + port + " is closed");
      }
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      channel.bind(new InetSocketAddress(port));
      channel.configureBlocking(false);
      boolean connected = opener.connect(channel, peer);
      if (!connected) {
        channel.register(selector, SelectionKey.OP_CONNECT);
        connected = selector.select(waitMillis) > 0 && channel.finishConnect();
        selector.selectedKeys().clear();
      }
      if (connected) {
        SelectionKey key = channel.keyFor(selector); // null when the connect completed at once
        if (key != null) {
          key.cancel();
          selector.selectNow(); // deregisters, so the channel can block again
        }
        channel.configureBlocking(true);
        dialing.remove(socket);
      }
      ok = true;
      return new OpenerDial(channel, connected, dialing); // closing the selector deregisters a held one
    } finally {
      if (!ok) {
        dialing.remove(socket);
        channel.close();
      }
    }
  }

  private void stopListening() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing a listener has nothing useful to report
    }
  }

  /** Stops accepting and dialing (sockets already connected stay open); idempotent. */
  public synchronized void stopPunching() {
    closed = true;
    stopListening();
    for (Socket socket : dialing) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // aborting a dial
      }
    }
  }

  /**
   * Listens and dials again after {@link #stopPunching()}, to punch a new path for the same connection (its
   * established sockets keep the port); does nothing once the port was released.
   *
   * @throws IOException when the port cannot listen again
   */
  public synchronized void resumePunching() throws IOException {
    if (released || !closed) {
      return;
    }
    listener = listen(port);
    closed = false;
  }

  /**
   * Stops punching and releases the port for reuse by this process; call once the connection that used
   * the port is closed too. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      released = true;
    }
    stopPunching();
    HELD.remove(port);
  }
}
