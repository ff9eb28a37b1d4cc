package dev.punchd.transport.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;

/** Two TCP sockets connected over loopback: the one that dialled and the one accepted. */
record SocketPair(Socket dialer, Socket acceptor) implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  static SocketPair open() throws IOException {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return open(listener, listener.getLocalSocketAddress());
    }
  }

  /** Dials {@code target} (which may be a relay in front of {@code listener}) and accepts. */
  static SocketPair open(ServerSocket listener, SocketAddress target) throws IOException {
    Socket dialer = new Socket();
    dialer.connect(target, CONNECT_TIMEOUT_MILLIS);
    listener.setSoTimeout(CONNECT_TIMEOUT_MILLIS);
    return new SocketPair(dialer, listener.accept());
  }

  @Override
  public void close() throws IOException {
    try (dialer;
        acceptor) {
      // closes both
    }
  }
}
